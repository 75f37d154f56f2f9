#include "http/path_normalizer.hpp"

#include <gtest/gtest.h>

namespace baton::http {
namespace {
std::string relative(std::string_view path) {
  auto normal = normalize_file_path(path);
  return normal ? normal->relative : "<rejected>";
}

bool bad(std::string_view path) {
  auto normal = normalize_file_path(path);
  return !normal && normal.error() == PathRejection::bad_request;
}

TEST(PathNormalizer, OrdinaryPaths) {
  EXPECT_EQ(relative("/"), "");
  EXPECT_EQ(relative("/index.html"), "index.html");
  EXPECT_EQ(relative("/assets/app.3f9a1c2e.js?v=1#x"), "assets/app.3f9a1c2e.js");
  EXPECT_EQ(relative("//a///b/./c"), "a/b/c");
  EXPECT_EQ(relative("/caf%C3%A9.txt"), "café.txt");
  EXPECT_EQ(relative("/with%20space"), "with space");
  EXPECT_EQ(relative("/.well-known/x"), ".well-known/x");
  EXPECT_EQ(relative("/a..b/...c"), "a..b/...c");
  EXPECT_TRUE(normalize_file_path("/docs/")->trailing_slash);
  EXPECT_FALSE(normalize_file_path("/docs")->trailing_slash);
}

TEST(PathNormalizer, RefusesTraversalInEveryShape) {
  for (auto path : {"/..", "/../etc/passwd", "/a/../../b", "/a/..", "/%2e%2e/x", "/%2E%2e/x", "/%2e%2E/x",
                    "/%2E%2E/x", "/.%2e/x", "/%2e./x", "/a/%2e%2e", "/..%2fetc", "/..%2Fetc", "/a%2fb",
                    "/..%5cetc", "/a%5Cb", "/a\\..\\b", "/%00", "/a%00.html", "/%252e%252e/x", "/%25%32%65",
                    "/%c0%ae%c0%ae/x", "/%c0%af", "/%e0%80%ae", "/%f0%80%80%ae", "/%ed%a0%80", "/%ff",
                    "/%fe", "/%c2", "/%", "/%2", "/%zz", "relative", "", "/a%0a", "/a%7f"})
    EXPECT_TRUE(bad(path)) << path;
}

TEST(PathNormalizer, HidesBatonsOwnFiles) {
  auto meta = normalize_file_path("/.baton-release");
  ASSERT_FALSE(meta);
  EXPECT_EQ(meta.error(), PathRejection::not_found);
  EXPECT_FALSE(normalize_file_path("/%2ebaton-release"));
}
}  // namespace
}  // namespace baton::http
