#include "balancer/target_set.hpp"

#include <gtest/gtest.h>

#include <map>

namespace baton {
namespace {
std::vector<std::shared_ptr<Target>> make_targets(int n) {
  std::vector<std::shared_ptr<Target>> out;
  for (int i = 0; i < n; ++i) {
    auto t = std::make_shared<Target>();
    t->id = static_cast<std::uint64_t>(i + 1);
    out.push_back(t);
  }
  return out;
}
const auto kNow = std::chrono::steady_clock::now();
}  // namespace

TEST(TargetSet, RoundRobinVisitsEveryTargetEvenly) {
  TargetSet set(make_targets(3), Policy::round_robin);
  std::map<std::uint64_t, int> seen;
  for (int i = 0; i < 300; ++i) seen[set.pick({}, kNow)->id]++;
  EXPECT_EQ(seen.size(), 3u);
  for (auto& [id, count] : seen) EXPECT_EQ(count, 100) << id;
}

TEST(TargetSet, SkipsTriedTargetsAndEndsWithNull) {
  TargetSet set(make_targets(2), Policy::round_robin);
  std::vector<Target*> tried;
  tried.push_back(set.pick(tried, kNow));
  tried.push_back(set.pick(tried, kNow));
  EXPECT_NE(tried[0], tried[1]);
  EXPECT_EQ(set.pick(tried, kNow), nullptr);
}

TEST(TargetSet, LeastConnPrefersTheIdleTarget) {
  auto targets = make_targets(3);
  targets[0]->counters.in_flight = 5;
  targets[1]->counters.in_flight = 1;
  targets[2]->counters.in_flight = 3;
  TargetSet set(targets, Policy::least_conn);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(set.pick({}, kNow)->id, 2u);
}

TEST(TargetSet, CoolingTargetIsUsedOnlyWhenNothingElseIs) {
  auto targets = make_targets(2);
  start_cooldown(*targets[0], kNow);
  TargetSet set(targets, Policy::round_robin);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(set.pick({}, kNow)->id, 2u);
  std::vector<Target*> tried{targets[1].get()};
  EXPECT_EQ(set.pick(tried, kNow)->id, 1u);
  auto later = kNow + std::chrono::seconds(2);
  std::map<std::uint64_t, int> seen;
  for (int i = 0; i < 10; ++i) seen[set.pick({}, later)->id]++;
  EXPECT_EQ(seen.size(), 2u);
}

TEST(TargetSet, EmptySetPicksNothing) {
  TargetSet set({}, Policy::round_robin);
  EXPECT_EQ(set.pick({}, kNow), nullptr);
}

TEST(TargetSet, ReleasesAreIndexedInOrderOfFirstAppearance) {
  auto targets = make_targets(4);
  TargetSet set(targets, Policy::round_robin, {"v2", "v1", "v2", "v1"});
  ASSERT_EQ(set.releases().size(), 2u);
  EXPECT_EQ(set.releases()[0], "v2");
  EXPECT_EQ(set.find_release("v1"), 1);
  EXPECT_EQ(set.find_release("v3"), TargetSet::kAnyRelease);
  EXPECT_EQ(set.release_of(targets[2].get()), 0);
  EXPECT_EQ(set.release_of(targets[3].get()), 1);
}

TEST(TargetSet, OneReleaseNeedsNoTags) {
  auto targets = make_targets(2);
  TargetSet set(targets, Policy::round_robin, {"v1", "v1"});
  EXPECT_EQ(set.releases(), std::vector<std::string>{"v1"});
  EXPECT_EQ(set.release_of(targets[1].get()), 0);
  // With a single release a release filter is meaningless and ignored.
  EXPECT_NE(set.pick({}, kNow, 5), nullptr);
}

TEST(TargetSet, PickWithinAReleaseOnly) {
  for (auto policy : {Policy::round_robin, Policy::least_conn}) {
    auto targets = make_targets(4);
    TargetSet set(targets, policy, {"v1", "v2", "v1", "v2"});
    std::map<std::uint64_t, int> seen;
    for (int i = 0; i < 20; ++i) seen[set.pick({}, kNow, 1)->id]++;
    EXPECT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen.count(2), 1u);
    EXPECT_EQ(seen.count(4), 1u);
    std::vector<Target*> tried{targets[1].get(), targets[3].get()};
    EXPECT_EQ(set.pick(tried, kNow, 1), nullptr);
    EXPECT_NE(set.pick(tried, kNow), nullptr);
  }
}

TEST(TargetSet, AnyReleaseMeansAnyOpenRelease) {
  auto targets = make_targets(3);
  TargetSet set(targets, Policy::round_robin, {"v1", "v2", "v1"}, {{"v1", 100}, {"v2", 0}}, "v2");
  for (int i = 0; i < 10; ++i) EXPECT_NE(set.pick({}, kNow)->id, 2u);
  std::vector<Target*> tried{targets[0].get(), targets[2].get()};
  EXPECT_EQ(set.pick(tried, kNow), nullptr) << "a release at weight 0 is no fallback";
  EXPECT_EQ(set.pick({}, kNow, 1)->id, 2u) << "asked for by index, it still answers";
  EXPECT_EQ(set.split().canary(), 1);
}
}  // namespace baton
