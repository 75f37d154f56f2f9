#include "balancer/health_state.hpp"

#include <gtest/gtest.h>

namespace baton::health {
namespace {
using Change = HealthState::Change;

HealthState state_with(unsigned healthy_threshold, unsigned unhealthy_threshold) {
  HealthCheck check;
  check.healthy_threshold = healthy_threshold;
  check.unhealthy_threshold = unhealthy_threshold;
  return HealthState(check);
}

TEST(HealthState, StartsUnhealthy) {
  HealthState state(HealthCheck{});
  EXPECT_FALSE(state.healthy());
  EXPECT_FALSE(state.ever_healthy());
}

TEST(HealthState, FailuresBeforeFirstHealthyChangeNothing) {
  auto state = state_with(1, 1);
  EXPECT_EQ(state.record(false), Change::none);
  EXPECT_EQ(state.record(false), Change::none);
  EXPECT_FALSE(state.healthy());
}

TEST(HealthState, BecomesHealthyAfterThresholdSuccessesInARow) {
  auto state = state_with(3, 1);
  EXPECT_EQ(state.record(true), Change::none);
  EXPECT_EQ(state.record(true), Change::none);
  EXPECT_EQ(state.record(true), Change::became_healthy);
  EXPECT_TRUE(state.healthy());
  EXPECT_TRUE(state.ever_healthy());
  EXPECT_EQ(state.record(true), Change::none);
}

TEST(HealthState, BecomesUnhealthyAfterThresholdFailuresInARow) {
  auto state = state_with(1, 3);
  ASSERT_EQ(state.record(true), Change::became_healthy);
  EXPECT_EQ(state.record(false), Change::none);
  EXPECT_EQ(state.record(false), Change::none);
  EXPECT_EQ(state.record(false), Change::became_unhealthy);
  EXPECT_FALSE(state.healthy());
  EXPECT_TRUE(state.ever_healthy());
  EXPECT_EQ(state.record(false), Change::none);
}

TEST(HealthState, FlappingNeverReachesAThreshold) {
  auto state = state_with(2, 2);
  ASSERT_EQ(state.record(true), Change::none);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(state.record(false), Change::none);
    EXPECT_EQ(state.record(true), Change::none);
  }
  EXPECT_FALSE(state.healthy());
  ASSERT_EQ(state.record(true), Change::became_healthy);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(state.record(false), Change::none);
    EXPECT_EQ(state.record(true), Change::none);
  }
  EXPECT_TRUE(state.healthy());
}

TEST(HealthState, RecoversAfterBecomingUnhealthy) {
  auto state = state_with(2, 1);
  state.record(true);
  ASSERT_EQ(state.record(true), Change::became_healthy);
  ASSERT_EQ(state.record(false), Change::became_unhealthy);
  EXPECT_EQ(state.record(true), Change::none);
  EXPECT_EQ(state.record(true), Change::became_healthy);
}

TEST(HealthState, ZeroThresholdsActAsOne) {
  auto state = state_with(0, 0);
  EXPECT_EQ(state.record(true), Change::became_healthy);
  EXPECT_EQ(state.record(false), Change::became_unhealthy);
}
}  // namespace
}  // namespace baton::health
