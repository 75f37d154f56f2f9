#include "base/restart_policy.hpp"

#include <gtest/gtest.h>

namespace baton {
namespace {
using namespace std::chrono_literals;
constexpr std::optional<int> kKilledBySignal = std::nullopt;

TEST(RestartPolicy, AlwaysRestartsUnlessTheCodeIsAStopCode) {
  RestartPolicy policy;
  EXPECT_TRUE(wants_restart(policy, 0));
  EXPECT_TRUE(wants_restart(policy, 1));
  EXPECT_TRUE(wants_restart(policy, kKilledBySignal));
  policy.stop_exit_codes = {0, 3};
  EXPECT_FALSE(wants_restart(policy, 0));
  EXPECT_FALSE(wants_restart(policy, 3));
  EXPECT_TRUE(wants_restart(policy, 1));
}

TEST(RestartPolicy, OnFailureRestartsNonZeroCodesAndSignalsOnly) {
  RestartPolicy policy{.autorestart = AutoRestart::on_failure};
  EXPECT_FALSE(wants_restart(policy, 0));
  EXPECT_TRUE(wants_restart(policy, 2));
  EXPECT_TRUE(wants_restart(policy, kKilledBySignal));
  policy.stop_exit_codes = {2};
  EXPECT_FALSE(wants_restart(policy, 2));
}

TEST(RestartPolicy, NeverRestarts) {
  RestartPolicy policy{.autorestart = AutoRestart::never};
  EXPECT_FALSE(wants_restart(policy, 0));
  EXPECT_FALSE(wants_restart(policy, 1));
  EXPECT_FALSE(wants_restart(policy, kKilledBySignal));
}

TEST(RestartPolicy, ModesByName) {
  for (auto mode : {AutoRestart::always, AutoRestart::on_failure, AutoRestart::never})
    EXPECT_EQ(auto_restart_from(to_string(mode)), mode);
  EXPECT_FALSE(auto_restart_from("sometimes"));
  EXPECT_FALSE(auto_restart_from("on_failure"));
}

TEST(RestartBudget, WithAWindowCountsEveryRestartWithinIt) {
  RestartBudget budget(RestartPolicy{.max_restarts = 3, .restart_window = 60s});
  auto t0 = RestartBudget::Clock::time_point{} + 1h;
  EXPECT_TRUE(budget.take(t0, true));
  EXPECT_TRUE(budget.take(t0 + 1s, false));  // long runs count too
  EXPECT_TRUE(budget.take(t0 + 2s, true));
  EXPECT_FALSE(budget.take(t0 + 3s, true));
  EXPECT_EQ(budget.used(t0 + 3s), 3u);
  // The first restart leaves the window 60 s after it: one more is allowed.
  EXPECT_TRUE(budget.take(t0 + 60s, true));
  EXPECT_FALSE(budget.take(t0 + 61s - 1ms, true));
}

TEST(RestartBudget, WithoutAWindowCountsRestartsInARowAfterShortRunsAsPm2Does) {
  RestartBudget budget(RestartPolicy{.max_restarts = 2});
  auto t0 = RestartBudget::Clock::time_point{} + 1h;
  EXPECT_TRUE(budget.take(t0, true));
  EXPECT_TRUE(budget.take(t0 + 1h, true));  // however far apart
  EXPECT_EQ(budget.used(t0 + 1h), 2u);
  EXPECT_TRUE(budget.take(t0 + 2h, false)) << "a run that lasted starts the count again";
  EXPECT_EQ(budget.used(t0 + 2h), 1u);
  EXPECT_TRUE(budget.take(t0 + 3h, true));
  EXPECT_FALSE(budget.take(t0 + 4h, true));
}

TEST(RestartBudget, ZeroAllowsNoRestartAndUnsetHasNoLimit) {
  RestartBudget none(RestartPolicy{.max_restarts = 0});
  EXPECT_FALSE(none.take(RestartBudget::Clock::now(), false));
  RestartBudget unlimited(RestartPolicy{});
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(unlimited.take(RestartBudget::Clock::now(), true));
  EXPECT_EQ(unlimited.used(RestartBudget::Clock::now()), 0u);
}
}  // namespace
}  // namespace baton
