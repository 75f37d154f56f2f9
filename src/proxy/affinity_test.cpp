#include "proxy/affinity.hpp"

#include <gtest/gtest.h>

namespace baton::proxy {
namespace {
using http::Field;
using http::HeaderField;

std::vector<std::shared_ptr<Target>> make_targets(int n) {
  std::vector<std::shared_ptr<Target>> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(std::make_shared<Target>());
    out.back()->id = static_cast<std::uint64_t>(i + 1);
  }
  return out;
}

TargetSet two_releases() { return TargetSet(make_targets(3), Policy::round_robin, {"v1", "v2", "v2"}); }
}  // namespace

TEST(Cookie, FoundAmongOthersInOneField) {
  std::vector<HeaderField> fields{{Field::cookie, "Cookie", "a=1; baton_app=v2;b=3"}};
  EXPECT_EQ(find_cookie(fields, "baton_app"), "v2");
  EXPECT_EQ(find_cookie(fields, "b"), "3");
}

TEST(Cookie, FoundInALaterCookieField) {
  std::vector<HeaderField> fields{{Field::cookie, "Cookie", "a=1"},
                                  {Field::accept, "Accept", "baton_app=no"},
                                  {Field::cookie, "cookie", " baton_app = \"v3\" "}};
  EXPECT_EQ(find_cookie(fields, "baton_app"), "v3");
}

TEST(Cookie, NameMustMatchExactly) {
  std::vector<HeaderField> fields{{Field::cookie, "Cookie", "baton_app2=v1; xbaton_app=v1; baton_ap=v1; baton_app"}};
  EXPECT_EQ(find_cookie(fields, "baton_app"), std::nullopt);
  EXPECT_EQ(find_cookie({}, "baton_app"), std::nullopt);
}

TEST(Cookie, ValuesAreCookieOctets) {
  EXPECT_TRUE(is_cookie_value("v1.2-rc_3+abc"));
  EXPECT_FALSE(is_cookie_value(""));
  EXPECT_FALSE(is_cookie_value("a b"));
  EXPECT_FALSE(is_cookie_value("a;b"));
  EXPECT_FALSE(is_cookie_value("a,b"));
  EXPECT_FALSE(is_cookie_value("\"a\""));
}

TEST(Cookie, SetCookieLine) {
  EXPECT_EQ(set_cookie_line("baton_app", "v2", std::chrono::seconds(300)),
            "Set-Cookie: baton_app=v2; Path=/; Max-Age=300; HttpOnly; SameSite=Lax\r\n");
}

TEST(Affinity, OffWithOneReleaseOrWhenNotWanted) {
  TargetSet one(make_targets(2), Policy::round_robin, {"v1", "v1"});
  EXPECT_FALSE(make_affinity("app", one, true, std::chrono::seconds(1)).enabled());
  TargetSet none(make_targets(2), Policy::round_robin);
  EXPECT_FALSE(make_affinity("app", none, true, std::chrono::seconds(1)).enabled());
  EXPECT_FALSE(make_affinity("app", two_releases(), false, std::chrono::seconds(1)).enabled());
}

// A rolling deploy begun while the old release's instances were still turning healthy routes to
// both releases with only the new one's instance healthy: clients it answers must get its cookie,
// or the next old instance to turn healthy takes them back to the old version.
TEST(Affinity, OnWhileTheDeployRoutesToTwoReleasesEvenIfOnlyOneHasHealthyTargets) {
  TargetSet only_new(make_targets(1), Policy::round_robin, {"r2"});
  auto affinity = make_affinity("app", only_new, true, std::chrono::seconds(1), 2);
  ASSERT_TRUE(affinity.enabled());
  EXPECT_EQ(affinity.set_cookie.at(static_cast<std::size_t>(only_new.release_of(only_new.targets()[0].get()))),
            "Set-Cookie: baton_app=r2; Path=/; Max-Age=1; HttpOnly; SameSite=Lax\r\n");
  EXPECT_FALSE(make_affinity("app", only_new, true, std::chrono::seconds(1), 1).enabled());
  EXPECT_FALSE(make_affinity("app", only_new, false, std::chrono::seconds(1), 2).enabled());
  TargetSet empty({}, Policy::round_robin);
  EXPECT_FALSE(make_affinity("app", empty, true, std::chrono::seconds(1), 2).enabled());
}

TEST(Affinity, OffWhenAReleaseCannotBeACookieValue) {
  TargetSet set(make_targets(2), Policy::round_robin, {"v1", "v 2"});
  EXPECT_FALSE(make_affinity("app", set, true, std::chrono::seconds(1)).enabled());
}

TEST(Affinity, OnePrebuiltSetCookieLinePerRelease) {
  auto set = two_releases();
  auto affinity = make_affinity("my-app", set, true, std::chrono::milliseconds(90500));
  ASSERT_TRUE(affinity.enabled());
  EXPECT_EQ(affinity.cookie, "baton_my-app");
  ASSERT_EQ(affinity.set_cookie.size(), 2u);
  EXPECT_EQ(affinity.set_cookie[1], "Set-Cookie: baton_my-app=v2; Path=/; Max-Age=90; HttpOnly; SameSite=Lax\r\n");
}

TEST(Affinity, PinsOnlyToAReleaseThatStillHasTargets) {
  auto set = two_releases();
  auto affinity = make_affinity("app", set, true, std::chrono::seconds(1));
  std::vector<HeaderField> v2{{Field::cookie, "Cookie", "baton_app=v2"}};
  std::vector<HeaderField> gone{{Field::cookie, "Cookie", "baton_app=v0"}};
  EXPECT_EQ(pinned_release(affinity, set, v2), 1);
  EXPECT_EQ(pinned_release(affinity, set, gone), TargetSet::kAnyRelease);
  EXPECT_EQ(pinned_release(affinity, set, {}), TargetSet::kAnyRelease);
  EXPECT_EQ(pinned_release(Affinity{}, set, v2), TargetSet::kAnyRelease);
}
}  // namespace baton::proxy
