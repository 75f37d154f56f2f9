// The strategies driven by scripted events, with no runtime, io_context or clock:
// each step's commands are compared as text.
#include "deploy/strategy.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace baton::deploy::strategy {
namespace {
std::string describe_split(const TrafficSplit& split) {
  std::vector<std::string> parts;
  for (const auto& [release, indexes] : split.releases)
    parts.push_back(indexes ? fmt::format("{}={{{}}}", release, fmt::join(*indexes, ",")) : release + "=all");
  std::vector<std::string> weights;
  for (const auto& [release, share] : split.weights) weights.push_back(fmt::format("{}:{}%", release, share));
  return fmt::format("route {}{}{}{}", fmt::join(parts, " "), split.paused ? " paused" : "",
                     weights.empty() ? "" : fmt::format(" weights {}", fmt::join(weights, " ")),
                     split.canary.empty() ? "" : " canary " + split.canary);
}

std::string describe(const Command& command) {
  if (auto* c = std::get_if<Report>(&command)) return c->event.kind + ": " + c->event.message;
  if (auto* c = std::get_if<Route>(&command)) return describe_split(c->split);
  if (auto* c = std::get_if<StartInstances>(&command))
    return fmt::format("start {} to {} from {}", c->release, c->count, c->from);
  if (auto* c = std::get_if<RunHook>(&command)) return "hook " + c->name;
  if (auto* c = std::get_if<Drain>(&command)) return fmt::format("drain {} from {}", c->release, c->from);
  if (auto* c = std::get_if<Stop>(&command)) return fmt::format("stop {} keep {}", c->release, c->keep);
  if (auto* c = std::get_if<Retire>(&command)) return "retire " + c->release;
  if (auto* c = std::get_if<KeepWarm>(&command)) return "warm " + c->release;
  if (auto* c = std::get_if<Wait>(&command)) return fmt::format("wait {}ms", c->duration.count());
  if (auto* c = std::get_if<Observe>(&command))
    return fmt::format("observe {} against {}{} for {}ms", c->release, c->whole_baseline ? "all of " : "", c->baseline,
                       c->duration.count());
  if (auto* c = std::get_if<Reinstate>(&command)) return "reinstate " + c->release;
  auto& finish = std::get<Finish>(command);
  return finish.ok ? "finish ok" : "finish failed: " + finish.reason;
}

// Feeds a strategy and checks the runner's protocol on every answer: at most one command
// that completes later, and nothing after it or after Finish.
class Script {
 public:
  explicit Script(std::unique_ptr<Strategy> strategy) : strategy_(std::move(strategy)) {}

  std::vector<std::string> start() { return check(strategy_->start(now_)); }
  std::vector<std::string> on(Event event) { return check(strategy_->on(event, now_)); }
  bool finished() const { return finished_; }

 private:
  std::vector<std::string> check(const Commands& commands) {
    std::vector<std::string> out;
    bool waiting = false;
    for (const auto& command : commands) {
      EXPECT_FALSE(waiting || finished_) << "a command after the end of a batch: " << describe(command);
      waiting = completes_later(command);
      finished_ = std::holds_alternative<Finish>(command);
      out.push_back(describe(command));
    }
    EXPECT_TRUE(waiting || finished_) << "a batch that neither waits nor finishes: " << fmt::format("{}", out);
    return out;
  }

  std::unique_ptr<Strategy> strategy_;
  Clock::time_point now_{};
  bool finished_ = false;
};

using Lines = std::vector<std::string>;

Plan replacing(unsigned total, unsigned previous_count) {
  return Plan{.target = "r2",
              .previous = "r1",
              .total = total,
              .previous_count = previous_count,
              .traffic = TrafficSplit{{{"r1", std::nullopt}}, false}};
}

Drained drained(std::string release, std::size_t targets) {
  return Drained{std::move(release), targets, DrainReport{.drained = 3, .cut = 0}};
}

TEST(RollingStrategy, ReplacesOneBatchAtATimeAndNeverDropsCapacity) {
  Script s(make_rolling(replacing(2, 2)));
  EXPECT_EQ(s.start(), (Lines{"step: starting instances 0-0 of r2", "start r2 to 1 from 0"}));
  EXPECT_EQ(s.on(Healthy{"r2"}), (Lines{"hook smoke"}));
  EXPECT_EQ(s.on(HookDone{"smoke"}),
            (Lines{"route r1={0} r2=all", "switched: traffic: 1 new, 1 old", "drain r1 from 1"}));
  EXPECT_EQ(s.on(drained("r1", 1)),
            (Lines{"drained: 1 instance(s) of r1 drained: 3 finished, 0 cut", "stop r1 keep 1"}));
  EXPECT_EQ(s.on(Stopped{"r1"}), (Lines{"step: starting instances 1-1 of r2", "start r2 to 2 from 1"}));
  EXPECT_EQ(s.on(Healthy{"r2"}), (Lines{"route r2=all", "switched: traffic: 2 new, 0 old", "drain r1 from 0"}));
  EXPECT_EQ(s.on(drained("r1", 1)),
            (Lines{"drained: 1 instance(s) of r1 drained: 3 finished, 0 cut", "stop r1 keep 0"}));
  EXPECT_EQ(s.on(Stopped{"r1"}), (Lines{"finish ok"}));
}

TEST(RollingStrategy, BatchesAreMaxSurgeWide) {
  auto plan = replacing(4, 4);
  plan.max_surge = 3;
  Script s(make_rolling(plan));
  EXPECT_EQ(s.start(), (Lines{"step: starting instances 0-2 of r2", "start r2 to 3 from 0"}));
  s.on(Healthy{"r2"});
  EXPECT_EQ(s.on(HookDone{"smoke"}),
            (Lines{"route r1={0} r2=all", "switched: traffic: 3 new, 1 old", "drain r1 from 1"}));
  s.on(drained("r1", 3));
  EXPECT_EQ(s.on(Stopped{"r1"}), (Lines{"step: starting instances 3-3 of r2", "start r2 to 4 from 3"}));
}

TEST(RollingStrategy, AFirstDeployStartsEverythingAndFinishes) {
  Script s(make_rolling(Plan{.target = "r1", .total = 1}));
  EXPECT_EQ(s.start(), (Lines{"step: starting instances 0-0 of r1", "start r1 to 1 from 0"}));
  s.on(Healthy{"r1"});
  EXPECT_EQ(s.on(HookDone{"smoke"}), (Lines{"route r1=all", "switched: traffic: 1 new, 0 old", "finish ok"}));
}

TEST(RollingStrategy, AFirstBatchThatFailsStopsTheNewReleaseWithoutTouchingTraffic) {
  Script s(make_rolling(replacing(2, 2)));
  s.start();
  EXPECT_EQ(s.on(Unhealthy{"r2", "not healthy within 300 ms"}), (Lines{"stop r2 keep 0"}));
  EXPECT_EQ(s.on(Stopped{"r2"}), (Lines{"finish failed: not healthy within 300 ms"}));
}

TEST(RollingStrategy, AFailingSmokeTestRollsBackBeforeAnyTraffic) {
  Script s(make_rolling(replacing(2, 2)));
  s.start();
  s.on(Healthy{"r2"});
  EXPECT_EQ(s.on(HookDone{"smoke", "the smoke hook failed: exited with 1"}), (Lines{"stop r2 keep 0"}));
  EXPECT_EQ(s.on(Stopped{"r2"}), (Lines{"finish failed: the smoke hook failed: exited with 1"}));
}

TEST(RollingStrategy, AFailureHalfWayRestartsTheStoppedOldInstancesBeforeTheNewOnesLeave) {
  Script s(make_rolling(replacing(2, 2)));
  s.start();
  s.on(Healthy{"r2"});
  s.on(HookDone{"smoke"});
  s.on(drained("r1", 1));
  s.on(Stopped{"r1"});
  EXPECT_EQ(s.on(Unhealthy{"r2", "instance #1 keeps exiting"}),
            (Lines{"step: restarting 1 instance(s) of r1", "route r1=all r2=all", "start r1 to 2 from 0"}));
  EXPECT_EQ(s.on(Healthy{"r1"}), (Lines{"route r1=all", "drain r2 from 0"}));
  EXPECT_EQ(s.on(drained("r2", 1)), (Lines{"stop r2 keep 0"}));
  EXPECT_EQ(s.on(Stopped{"r2"}), (Lines{"finish failed: instance #1 keeps exiting"}));
}

TEST(BlueGreenStrategy, SwitchesOnceAndKeepsTheOldReleaseWarm) {
  Script s(make_blue_green(replacing(2, 2)));
  EXPECT_EQ(s.start(), (Lines{"step: starting 2 instance(s) of r2", "start r2 to 2 from 0"}));
  EXPECT_EQ(s.on(Healthy{"r2"}), (Lines{"hook smoke"}));
  EXPECT_EQ(s.on(HookDone{"smoke"}), (Lines{"route r2=all", "switched: traffic switched to r2", "drain r1 from 0"}));
  EXPECT_EQ(s.on(drained("r1", 2)),
            (Lines{"drained: r1 drained: 3 finished, 0 cut; it stays warm as standby", "warm r1", "finish ok"}));
}

TEST(BlueGreenStrategy, AnOlderStandbyIsRetiredAndStoppedFirst) {
  auto plan = replacing(1, 1);
  plan.standby = "r0";
  Script s(make_blue_green(plan));
  s.start();
  s.on(Healthy{"r2"});
  EXPECT_EQ(s.on(HookDone{"smoke"}),
            (Lines{"route r2=all", "switched: traffic switched to r2", "retire r0", "stop r0 keep 0"}));
  EXPECT_EQ(s.on(Stopped{"r0"}), (Lines{"drain r1 from 0"}));
}

TEST(BlueGreenStrategy, ARollbackOrExternalTargetsStopTheReplacedRelease) {
  for (bool rollback : {true, false}) {
    auto plan = replacing(1, 1);
    plan.rollback = rollback;
    plan.external = !rollback;
    Script s(make_blue_green(plan));
    s.start();
    s.on(Healthy{"r2"});
    s.on(HookDone{"smoke"});
    EXPECT_EQ(s.on(drained("r1", 1)),
              (Lines{"drained: 1 instance(s) of r1 drained: 3 finished, 0 cut", "stop r1 keep 0"}));
    EXPECT_EQ(s.on(Stopped{"r1"}), (Lines{"finish ok"}));
  }
}

TEST(BlueGreenStrategy, ANewReleaseThatFailsNeverTakesTraffic) {
  Script s(make_blue_green(replacing(2, 2)));
  s.start();
  EXPECT_EQ(s.on(Unhealthy{"r2", "crash"}), (Lines{"stop r2 keep 0"}));
  EXPECT_EQ(s.on(Stopped{"r2"}), (Lines{"finish failed: crash"}));
}

TEST(RecreateStrategy, HoldsRequestsWhileTheOldStopsAndTheNewStarts) {
  Script s(make_recreate(replacing(1, 1)));
  EXPECT_EQ(s.start(), (Lines{"route r1=all paused", "step: traffic paused: new requests wait", "drain r1 from 0"}));
  EXPECT_EQ(s.on(drained("r1", 1)),
            (Lines{"drained: 1 instance(s) of r1 drained: 3 finished, 0 cut", "stop r1 keep 0"}));
  EXPECT_EQ(s.on(Stopped{"r1"}), (Lines{"step: starting 1 instance(s) of r2", "start r2 to 1 from 0"}));
  EXPECT_EQ(s.on(Healthy{"r2"}), (Lines{"hook smoke"}));
  EXPECT_EQ(s.on(HookDone{"smoke"}), (Lines{"route r2=all", "step: traffic resumed on r2", "finish ok"}));
}

TEST(RecreateStrategy, AFailedNewReleaseBringsTheOldOneBackThenResumes) {
  Script s(make_recreate(replacing(1, 1)));
  s.start();
  s.on(drained("r1", 1));
  s.on(Stopped{"r1"});
  EXPECT_EQ(s.on(Unhealthy{"r2", "never healthy"}), (Lines{"stop r2 keep 0"}));
  EXPECT_EQ(s.on(Stopped{"r2"}), (Lines{"step: restarting r1", "start r1 to 1 from 0"}));
  EXPECT_EQ(s.on(Unhealthy{"r1", "also bad"}),
            (Lines{"route r1=all", "step: traffic resumed", "finish failed: never healthy"}));
}

// `requests` answered in `micros` each, `errors` of them with a 5xx.
metrics::TrafficSnapshot served(std::uint64_t requests, std::uint64_t errors, std::uint64_t micros = 1000) {
  metrics::TrafficSnapshot t;
  t.responses[static_cast<std::size_t>(metrics::StatusClass::success)] = requests - errors;
  t.responses[static_cast<std::size_t>(metrics::StatusClass::server_error)] = errors;
  for (std::uint64_t i = 0; i < requests; ++i) t.latency.observe(micros);
  return t;
}

Plan canary_plan() {
  auto plan = replacing(2, 2);
  plan.canary.steps = {10, 50};
  plan.canary.interval = std::chrono::seconds(1);
  return plan;
}

// Started, healthy and smoke-tested: at its first step.
Script at_first_step(Plan plan) {
  Script s(make_canary(std::move(plan)));
  EXPECT_EQ(s.start(), (Lines{"step: starting 2 instance(s) of r2 beside r1", "start r2 to 2 from 0"}));
  EXPECT_EQ(s.on(Healthy{"r2"}), (Lines{"hook smoke"}));
  auto first = s.on(HookDone{"smoke"});
  EXPECT_EQ(first.front(), "route r1=all r2=all weights r1:90% r2:10% canary r2");
  EXPECT_EQ(first.back(), "observe r2 against r1 for 1000ms");
  return s;
}

TEST(CanaryStrategy, AGoodCanaryWalksEveryStepThenTakesAllTraffic) {
  auto s = at_first_step(canary_plan());
  auto second = s.on(WindowClosed{served(100, 0), served(900, 0)});
  ASSERT_EQ(second.size(), 4u);
  EXPECT_EQ(second[0], "route r1=all r2=all weights r1:50% r2:50% canary r2");  // before any journal write
  EXPECT_EQ(second[1].rfind("canary: window passed at 10%: r2: 100 requests, 0 errors (0.0%)", 0), 0u) << second[1];
  EXPECT_EQ(second[2], "canary: step 2/2: 50% of new clients to r2");
  auto promoted = s.on(WindowClosed{served(500, 0), served(500, 0)});
  ASSERT_EQ(promoted.size(), 4u);
  EXPECT_EQ(promoted[0], "route r2=all");
  EXPECT_EQ(Lines(promoted.begin() + 2, promoted.end()),
            (Lines{"switched: traffic switched to r2 (every step passed)", "drain r1 from 0"}));
  s.on(drained("r1", 2));
  EXPECT_EQ(s.on(Stopped{"r1"}), (Lines{"finish ok"}));
}

TEST(CanaryStrategy, AnErrorRateAboveTheLimitTakesTheCanaryOutAtOnce) {
  auto s = at_first_step(canary_plan());
  auto out = s.on(WindowClosed{served(100, 5), served(900, 0)});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], "route r1=all");  // weight 0 first, before the report's journal write and the drain
  EXPECT_NE(out[1].find("canary failed at 10%: error rate 5.0% above 1.0%"), std::string::npos) << out[1];
  EXPECT_EQ(out[2], "drain r2 from 0");
  EXPECT_EQ(s.on(drained("r2", 2)), (Lines{"stop r2 keep 0"}));
  auto end = s.on(Stopped{"r2"});
  EXPECT_EQ(end.front().rfind("finish failed: canary failed at 10%: error rate 5.0%", 0), 0u) << end.front();
}

TEST(CanaryStrategy, TheLiveReleasesOwnErrorRateRaisesTheLimit) {
  auto s = at_first_step(canary_plan());
  auto out = s.on(WindowClosed{served(200, 7), served(1000, 30)});  // 3.5% against 3% + 1%
  EXPECT_EQ(out[1].rfind("canary: window passed", 0), 0u) << out[1];
}

TEST(CanaryStrategy, AP99AboveTheRatioFailsButNoiseBelowTheFloorDoesNot) {
  auto slow = at_first_step(canary_plan());
  auto out = slow.on(WindowClosed{served(100, 0, 30000), served(900, 0, 10000)});
  EXPECT_EQ(out[0], "route r1=all");
  EXPECT_NE(out[1].find("p99"), std::string::npos) << out[1];
  auto quick = at_first_step(canary_plan());
  out = quick.on(WindowClosed{served(100, 0, 3000), served(900, 0, 300)});  // 10x, but 3 ms
  EXPECT_EQ(out[1].rfind("canary: window passed", 0), 0u) << out[1];
}

TEST(CanaryStrategy, TooFewRequestsExtendTheWindowThenFailAsConfigured) {
  auto plan = canary_plan();
  plan.canary.max_extensions = 2;
  auto s = at_first_step(plan);
  for (int i = 1; i <= 2; ++i) {
    auto out = s.on(WindowClosed{served(10, 0), served(90, 0)});
    EXPECT_NE(out.front().find(fmt::format("too few requests to judge ({} of 50)", 10 * i)), std::string::npos)
        << out.front();
    EXPECT_EQ(out.back(), "observe r2 against r1 for 1000ms");
  }
  auto out = s.on(WindowClosed{served(10, 0), served(90, 0)});
  EXPECT_NE(out[1].find("too few requests to judge the canary at 10%: 30 of 50"), std::string::npos) << out[1];
  EXPECT_EQ(out.back(), "drain r2 from 0");
}

TEST(CanaryStrategy, TooFewRequestsCanPassWhenConfigured) {
  auto plan = canary_plan();
  plan.canary.max_extensions = 0;
  plan.canary.pass_when_quiet = true;
  auto s = at_first_step(plan);
  auto out = s.on(WindowClosed{served(3, 0), served(20, 0)});
  EXPECT_EQ(out[1].rfind("canary: window passed at 10%", 0), 0u) << out[1];
}

TEST(CanaryStrategy, TheOperatorPromotesOrAbortsWhileAWindowRuns) {
  auto promoted = at_first_step(canary_plan());
  EXPECT_EQ(promoted.on(Operator{OperatorCommand::promote}),
            (Lines{"route r2=all", "switched: traffic switched to r2 (promoted by the operator)", "drain r1 from 0"}));
  auto aborted = at_first_step(canary_plan());
  EXPECT_EQ(aborted.on(Operator{OperatorCommand::abort}),
            (Lines{"route r1=all", "canary: aborted by the operator at 10%: weight 0, the canary stops",
                   "drain r2 from 0"}));
}

TEST(CanaryStrategy, APausedStepKeepsJudgingUntilTheOperatorActs) {
  auto plan = canary_plan();
  plan.canary.pause_at = 10;
  auto s = at_first_step(plan);
  for (int i = 0; i < 3; ++i) {
    auto out = s.on(WindowClosed{served(100, 0), served(900, 0)});
    EXPECT_EQ(out, (Lines{out.front(), "observe r2 against r1 for 1000ms"}));
  }
  for (int i = 0; i < 10; ++i) {  // quiet windows neither fail nor end a paused canary
    auto quiet = s.on(WindowClosed{served(1, 0), served(9, 0)});
    EXPECT_EQ(quiet.back(), "observe r2 against r1 for 1000ms");
    EXPECT_NE(quiet.front().find("paused at 10%"), std::string::npos) << quiet.front();
  }
  auto bad = s.on(WindowClosed{served(100, 50), served(900, 0)});  // a paused canary still fails on its own
  EXPECT_EQ(bad.back(), "drain r2 from 0");
}

TEST(CanaryStrategy, AFirstDeployHasNothingToCompareWithAndSwitches) {
  auto plan = canary_plan();
  plan.previous.clear();
  plan.traffic = {};
  Script s(make_canary(plan));
  s.start();
  s.on(Healthy{"r2"});
  EXPECT_EQ(s.on(HookDone{"smoke"}),
            (Lines{"route r2=all", "switched: traffic switched to r2 (nothing to compare it with)", "finish ok"}));
}

Plan watched(unsigned total) {
  auto plan = replacing(total, total);
  plan.watch = std::chrono::seconds(10);
  return plan;
}

TEST(WatchStrategy, ABlueGreenSwitchIsWatchedAndAFailingWatchGoesBackToTheStandbyAtOnce) {
  Script s(make(baton::Strategy::blue_green, watched(1)));
  s.start();
  s.on(Healthy{"r2"});
  s.on(HookDone{"smoke"});
  EXPECT_EQ(s.on(drained("r1", 1)),
            (Lines{"drained: r1 drained: 3 finished, 0 cut; it stays warm as standby", "warm r1",
                   "watch: watching r2 for 10 s against r1", "observe r2 against all of r1 for 2000ms"}));
  auto out = s.on(WindowClosed{served(100, 20), served(5000, 5)});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0], "route r1=all");
  EXPECT_EQ(out[1].rfind("watch: the watch failed: error rate 20.0% above 1.1%", 0), 0u) << out[1];
  EXPECT_EQ(Lines(out.begin() + 2, out.end()), (Lines{"reinstate r1", "drain r2 from 0"}));
  EXPECT_EQ(s.on(drained("r2", 1)), (Lines{"stop r2 keep 0"}));
  EXPECT_EQ(s.on(Stopped{"r2"}).front().rfind("finish failed: the watch failed", 0), 0u);
}

TEST(WatchStrategy, ARollingDeployRestartsTheOldInstancesBeforeGoingBack) {
  auto plan = watched(1);
  Script s(make(baton::Strategy::rolling, plan));
  s.start();
  s.on(Healthy{"r2"});
  s.on(HookDone{"smoke"});
  s.on(drained("r1", 1));
  EXPECT_EQ(s.on(Stopped{"r1"}),
            (Lines{"watch: watching r2 for 10 s against r1", "observe r2 against all of r1 for 2000ms"}));
  s.on(WindowClosed{served(100, 0), served(5000, 0)});  // a first good slice
  auto out = s.on(WindowClosed{served(100, 0, 90000), served(5000, 0, 1000)});
  EXPECT_NE(out[0].find("p99"), std::string::npos) << out[0];
  EXPECT_EQ(Lines(out.begin() + 1, out.end()),
            (Lines{"step: restarting 1 instance(s) of r1", "start r1 to 1 from 0"}));
  EXPECT_EQ(s.on(Healthy{"r1"}), (Lines{"route r1=all", "reinstate r1", "drain r2 from 0"}));
}

TEST(WatchStrategy, AWatchIsJudgedSliceBySliceAndPassingOrQuietSlicesEndTheDeployWell) {
  for (auto window : {WindowClosed{served(100, 0), served(5000, 5)}, WindowClosed{served(3, 3), served(5000, 0)}}) {
    Script s(make(baton::Strategy::blue_green, watched(1)));
    s.start();
    s.on(Healthy{"r2"});
    s.on(HookDone{"smoke"});
    s.on(drained("r1", 1));
    for (int slice = 1; slice < 5; ++slice) {
      auto out = s.on(window);
      EXPECT_EQ(out.front().rfind(fmt::format("watch: {} s of 10 s watched", 2 * slice), 0), 0u) << out.front();
      EXPECT_EQ(out.back(), "observe r2 against all of r1 for 2000ms");
    }
    auto out = s.on(window);
    EXPECT_EQ(out.back(), "finish ok");
    EXPECT_EQ(out.front().rfind("watch: watch passed, 10 s of 10 s watched", 0), 0u) << out.front();
  }
}

TEST(WatchStrategy, AShortWatchIsOneSecondSlices) {
  auto plan = watched(1);
  plan.watch = std::chrono::milliseconds(1500);
  Script s(make(baton::Strategy::blue_green, plan));
  s.start();
  s.on(Healthy{"r2"});
  s.on(HookDone{"smoke"});
  EXPECT_EQ(s.on(drained("r1", 1)).back(), "observe r2 against all of r1 for 1000ms");
  EXPECT_EQ(s.on(WindowClosed{served(100, 0), served(100, 0)}).back(), "observe r2 against all of r1 for 500ms");
  EXPECT_EQ(s.on(WindowClosed{served(100, 0), served(100, 0)}).back(), "finish ok");
}

TEST(WatchStrategy, RollbacksFirstDeploysAndRecreateAreNotWatched) {
  auto rollback = watched(1);
  rollback.rollback = true;
  Script s(make(baton::Strategy::blue_green, rollback));
  s.start();
  s.on(Healthy{"r2"});
  s.on(HookDone{"smoke"});
  s.on(drained("r1", 1));
  EXPECT_EQ(s.on(Stopped{"r1"}), (Lines{"finish ok"}));
}

TEST(StrategyProtocol, AnEventOutOfPlaceIsABugNotASilentTurn) {
  Script s(make_rolling(replacing(2, 2)));
  s.start();
  EXPECT_THROW(s.on(Stopped{"r1"}), std::logic_error);
}

TEST(StrategyProtocol, MakePicksTheStrategyByKind) {
  Script rolling(make(baton::Strategy::rolling, replacing(1, 1)));
  EXPECT_EQ(rolling.start().front(), "step: starting instances 0-0 of r2");
  Script recreate(make(baton::Strategy::recreate, replacing(1, 1)));
  EXPECT_EQ(recreate.start().front(), "route r1=all paused");
  Script canary(make(baton::Strategy::canary, replacing(1, 1)));
  EXPECT_EQ(canary.start().front(), "step: starting 1 instance(s) of r2 beside r1");
}
}  // namespace
}  // namespace baton::deploy::strategy
