#include "cookie_jar.hpp"

#include <gtest/gtest.h>

namespace baton::load {
namespace {
TEST(CookieJar, StoresNameValueAndIgnoresAttributes) {
  CookieJar jar;
  EXPECT_TRUE(jar.empty());
  EXPECT_EQ(jar.header(), "");
  jar.store("baton_release=v2; Path=/; HttpOnly");
  jar.store("session = abc ");
  EXPECT_EQ(jar.header(), "baton_release=v2; session=abc");
}

TEST(CookieJar, ReplacesAndDeletes) {
  CookieJar jar;
  jar.store("a=1");
  jar.store("b=2");
  jar.store("a=3; Max-Age=60");
  EXPECT_EQ(jar.header(), "a=3; b=2");
  jar.store("a=; max-age=0");
  EXPECT_EQ(jar.header(), "b=2");
  jar.store("b=2; Max-Age=-1");
  EXPECT_TRUE(jar.empty());
}

TEST(CookieJar, IgnoresMalformedCookies) {
  CookieJar jar;
  jar.store("novalue");
  jar.store("=nameless");
  jar.store("");
  EXPECT_TRUE(jar.empty());
}
}  // namespace
}  // namespace baton::load
