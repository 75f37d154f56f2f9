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
}  // namespace baton
