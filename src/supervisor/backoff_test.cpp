#include "supervisor/backoff.hpp"

#include <gtest/gtest.h>

namespace baton::supervisor {
namespace {
constexpr Millis kShort{10};
constexpr Millis kLong{60'000};
}  // namespace

TEST(Backoff, DoublesFromInitialUpToTheCap) {
  Backoff backoff;  // the defaults: 100 ms doubling up to 30 s
  std::vector<long> delays;
  for (int i = 0; i < 12; ++i) delays.push_back(backoff.on_exit(kShort).count());
  EXPECT_EQ(delays, (std::vector<long>{100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000,
                                       30000, 30000}));
}

TEST(Backoff, StableRunStartsOver) {
  Backoff backoff;
  for (int i = 0; i < 6; ++i) backoff.on_exit(kShort);
  EXPECT_TRUE(backoff.crash_loop());
  EXPECT_EQ(backoff.on_exit(kLong), Millis(100));
  EXPECT_FALSE(backoff.crash_loop());
  EXPECT_EQ(backoff.short_runs(), 0u);
  EXPECT_EQ(backoff.on_exit(kShort), Millis(100));
  EXPECT_EQ(backoff.on_exit(kShort), Millis(200));
}

TEST(Backoff, UptimeExactlyMinUptimeCountsAsStable) {
  Backoff backoff(BackoffPolicy{.min_uptime = Millis(1000)});
  backoff.on_exit(Millis(999));
  EXPECT_EQ(backoff.short_runs(), 1u);
  backoff.on_exit(Millis(1000));
  EXPECT_EQ(backoff.short_runs(), 0u);
}

TEST(Backoff, CrashLoopAfterConfiguredShortRuns) {
  Backoff backoff(BackoffPolicy{.crash_loop_runs = 3});
  backoff.on_exit(Millis(0));
  backoff.on_exit(Millis(0));
  EXPECT_FALSE(backoff.crash_loop());
  backoff.on_exit(Millis(0));
  EXPECT_TRUE(backoff.crash_loop());
}

TEST(Backoff, ManyCrashesNeverOverflow) {
  Backoff backoff(BackoffPolicy{.initial = Millis(1), .max = Millis::max()});
  Millis last{};
  for (int i = 0; i < 200; ++i) last = backoff.on_exit(kShort);
  EXPECT_GT(last, Millis(0));
}

TEST(Backoff, InitialAboveMaxIsCapped) {
  Backoff backoff(BackoffPolicy{.initial = Millis(500), .max = Millis(200)});
  EXPECT_EQ(backoff.on_exit(kShort), Millis(200));
  EXPECT_EQ(backoff.on_exit(kLong), Millis(200));
}
}  // namespace baton::supervisor
