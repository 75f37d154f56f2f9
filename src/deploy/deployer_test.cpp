#include "deploy/deployer.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "deploy/fake_runtime.hpp"

namespace baton::deploy {
namespace {
using namespace std::chrono_literals;
using testing::FakeRuntime;

// Remembers what the deployer journals, and can refuse deploys as a held lock would.
class RecordingJournal final : public Journal {
 public:
  void release_changed(const std::string& service, const Release& release) override {
    changes_.push_back(release.id + ":" + std::string(to_string(release.status)));
  }
  std::expected<std::int64_t, std::string> deploy_started(const DeployRun& run, const std::string& from) override {
    if (!refuse_.empty()) return std::unexpected(refuse_);
    deploys_.push_back(run.kind() + " " + (from.empty() ? "-" : from) + "->" + run.release());
    return static_cast<std::int64_t>(deploys_.size());
  }
  void release_forgotten(const std::string& service, const std::string& release) override {
    forgotten_.push_back(release);
  }
  void deploy_event(std::int64_t deploy, const DeployEvent& event) override { events_.push_back(event.kind); }
  void deploy_finished(std::int64_t deploy, bool ok, const std::string& reason) override {
    finished_.push_back(fmt::format("{}:{}", deploy, ok ? "ok" : "failed"));
  }

  std::vector<std::string> changes_, deploys_, events_, finished_, forgotten_;
  std::string refuse_;
};

class DeployerTest : public ::testing::Test {
 protected:
  DeployerTest() : runtime_(io_.get_executor()), deployer_(io_.get_executor(), runtime_, &journal_) {}

  // A deploy's spec comes from the service's config, so it carries the service's strategy.
  ReleaseSpec spec(unsigned instances, std::string behaviour = "healthy") const {
    ReleaseSpec s;
    s.deploy.strategy = strategy_;
    s.command = {"app"};
    s.instances = instances;
    s.env = {{"FAKE", std::move(behaviour)}};
    s.deploy.deploy_timeout = 300ms;
    return s;
  }

  void add_service(unsigned instances, Strategy strategy = Strategy::rolling, std::vector<Release> history = {}) {
    strategy_ = strategy;
    auto config = spec(instances);
    std::optional<std::expected<void, std::string>> added;
    asio::co_spawn(
        io_, [&]() -> awaitable<void> { added = co_await deployer_.add_service("web", config, std::move(history)); },
        asio::detached);
    io_.run();
    io_.restart();
    ASSERT_TRUE(added && *added);
    runtime_.switches_.clear();
    runtime_.log_.clear();
  }

  // Runs the deploy to its end.
  std::shared_ptr<DeployRun> finish(std::expected<std::shared_ptr<DeployRun>, std::string> started) {
    EXPECT_TRUE(started) << (started ? "" : started.error());
    if (!started) return nullptr;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!(*started)->finished() && std::chrono::steady_clock::now() < deadline) {
      io_.run_for(10ms);
      if (io_.stopped()) io_.restart();
    }
    EXPECT_TRUE((*started)->finished());
    return *started;
  }

  std::shared_ptr<DeployRun> deploy(ReleaseSpec s, std::optional<Strategy> strategy = std::nullopt) {
    return finish(deployer_.deploy(DeployRequest{.service = "web", .spec = std::move(s), .version = "v2",
                                                 .strategy = strategy, .who = "test"}));
  }

  ReleaseStatus status_of(const std::string& id) {
    for (const auto& r : *deployer_.releases("web"))
      if (r.id == id) return r.status;
    ADD_FAILURE() << "no release " << id;
    return ReleaseStatus::failed;
  }

  bool ever_routed(const std::string& release) const {
    for (const auto& s : runtime_.switches_)
      if (s.releases.contains(release) && s.serving > 0 && s.split.releases.contains(release)) {
        for (const auto& i : runtime_.instances("web", release))
          if (i.healthy) return true;
      }
    return false;
  }

  Release past(std::string id, ReleaseStatus status, unsigned instances = 1) const {
    return Release{.id = std::move(id), .version = "old", .spec = spec(instances), .status = status};
  }

  asio::io_context io_;
  Strategy strategy_ = Strategy::rolling;
  RecordingJournal journal_;
  FakeRuntime runtime_;
  Deployer deployer_;
};

TEST_F(DeployerTest, RollingReplacesEveryInstanceWithoutLosingCapacity) {
  add_service(3);
  auto run = deploy(spec(3));
  ASSERT_TRUE(run->ok()) << run->reason();
  EXPECT_EQ(deployer_.live("web")->id, "r2");
  EXPECT_EQ(status_of("r1"), ReleaseStatus::retired);
  ASSERT_FALSE(runtime_.switches_.empty());
  for (const auto& s : runtime_.switches_) EXPECT_GE(s.serving, 3u);
  EXPECT_EQ(runtime_.switches_.back().releases, std::set<std::string>{"r2"});
  EXPECT_TRUE(runtime_.instances("web", "r1").empty());
  EXPECT_EQ(runtime_.instances("web", "r2").size(), 3u);
}

TEST_F(DeployerTest, RollingStartsOneBatchOfMaxSurgeAtATime) {
  add_service(4);
  auto s = spec(4);
  s.deploy.max_surge = 2;
  ASSERT_TRUE(deploy(s)->ok());
  std::vector<std::string> runs;
  for (const auto& line : runtime_.log_)
    if (line.starts_with("run r2")) runs.push_back(line);
  EXPECT_EQ(runs, (std::vector<std::string>{"run r2 2", "run r2 4"}));
}

TEST_F(DeployerTest, AReleaseThatNeverBecomesHealthyIsRolledBackAndNeverServes) {
  add_service(2);
  auto run = deploy(spec(2, "never"));
  EXPECT_FALSE(run->ok());
  EXPECT_NE(run->reason().find("not healthy within"), std::string::npos) << run->reason();
  EXPECT_EQ(deployer_.live("web")->id, "r1");
  EXPECT_EQ(status_of("r2"), ReleaseStatus::failed);
  EXPECT_TRUE(runtime_.instances("web", "r2").empty());
  for (const auto& s : runtime_.switches_) EXPECT_GE(s.serving, 2u);
  EXPECT_FALSE(ever_routed("r2"));
}

TEST_F(DeployerTest, ACrashingReleaseFailsWithoutWaitingForTheTimeout) {
  add_service(1);
  auto s = spec(1, "crash");
  s.deploy.deploy_timeout = 60s;
  auto run = deploy(s);
  EXPECT_FALSE(run->ok());
  EXPECT_NE(run->reason().find("keeps exiting"), std::string::npos) << run->reason();
  EXPECT_LT(run->elapsed(), 30s);
  EXPECT_EQ(deployer_.live("web")->id, "r1");
}

TEST_F(DeployerTest, AMissingCommandIsReportedAndChangesNothing) {
  add_service(1);
  auto s = spec(1);
  s.command = {"missing"};
  auto run = deploy(s);
  EXPECT_FALSE(run->ok());
  EXPECT_NE(run->reason().find("No such file"), std::string::npos) << run->reason();
  EXPECT_EQ(deployer_.live("web")->id, "r1");
}

// A step that throws is a bug, but the run still ends: failed, with the reason, and the
// service takes the next deploy instead of answering "a deploy is running" for ever.
TEST_F(DeployerTest, ARunThatThrowsEndsFailedAndReleasesTheService) {
  add_service(1);
  auto run = deploy(spec(1, "throw"));
  ASSERT_TRUE(run->finished());
  EXPECT_FALSE(run->ok());
  EXPECT_NE(run->reason().find("internal error: the fake runtime threw"), std::string::npos) << run->reason();
  EXPECT_EQ(deployer_.live("web")->id, "r1");
  EXPECT_EQ(status_of("r2"), ReleaseStatus::failed);
  runtime_.next_behaviour_ = "throw";
  auto scaled = finish(deployer_.scale({.service = "web", .instances = 3, .kind = "scale", .who = "test"}));
  EXPECT_FALSE(scaled->ok());
  runtime_.next_behaviour_.clear();
  EXPECT_TRUE(deploy(spec(1))->ok());
}

// Recreate had paused traffic and stopped the live release when starting the new one threw:
// the live release runs again and takes traffic, unpaused.
TEST_F(DeployerTest, ARecreateThatThrowsBringsTheLiveReleaseBack) {
  add_service(2, Strategy::recreate);
  auto run = deploy(spec(2, "throw"));
  ASSERT_TRUE(run->finished());
  EXPECT_FALSE(run->ok());
  EXPECT_EQ(deployer_.live("web")->id, "r1");
  EXPECT_EQ(runtime_.instances("web", "r1").size(), 2u);
  EXPECT_TRUE(runtime_.instances("web", "r2").empty());
  auto split = runtime_.traffic("web");
  EXPECT_FALSE(split.paused);
  EXPECT_TRUE(split.releases.contains("r1"));
  EXPECT_FALSE(split.releases.contains("r2"));
}

TEST_F(DeployerTest, ASecondDeployIsRefusedWhileOneRuns) {
  add_service(1);
  auto first = deployer_.deploy(DeployRequest{.service = "web", .spec = spec(1), .version = "a"});
  ASSERT_TRUE(first);
  auto second = deployer_.deploy(DeployRequest{.service = "web", .spec = spec(1), .version = "b"});
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("r2"), std::string::npos) << second.error();
  finish(first);
  auto third = finish(deployer_.deploy(DeployRequest{.service = "web", .spec = spec(1), .version = "c"}));
  EXPECT_TRUE(third->ok());
}

TEST_F(DeployerTest, BlueGreenSwitchesOnceAndKeepsTheOldReleaseAsStandby) {
  add_service(2, Strategy::blue_green);
  auto run = deploy(spec(2));
  ASSERT_TRUE(run->ok()) << run->reason();
  ASSERT_EQ(runtime_.switches_.size(), 1u);
  EXPECT_EQ(runtime_.switches_[0].releases, std::set<std::string>{"r2"});
  EXPECT_EQ(runtime_.switches_[0].serving, 2u);
  EXPECT_EQ(status_of("r1"), ReleaseStatus::standby);
  EXPECT_EQ(deployer_.standby("web"), "r1");
  EXPECT_EQ(runtime_.instances("web", "r1").size(), 2u);  // still warm
}

TEST_F(DeployerTest, RollbackToAWarmStandbyIsOneSwitchWithoutStartingAnything) {
  add_service(2, Strategy::blue_green);
  ASSERT_TRUE(deploy(spec(2))->ok());
  runtime_.switches_.clear();
  auto starts_before = runtime_.started_["r1"];
  auto run = finish(deployer_.rollback(RollbackRequest{.service = "web"}));
  ASSERT_TRUE(run->ok()) << run->reason();
  ASSERT_EQ(runtime_.switches_.size(), 1u);
  EXPECT_EQ(runtime_.switches_[0].releases, std::set<std::string>{"r1"});
  EXPECT_EQ(runtime_.started_["r1"], starts_before);
  EXPECT_EQ(deployer_.live("web")->id, "r1");
  EXPECT_EQ(status_of("r2"), ReleaseStatus::rolled_back);
  EXPECT_TRUE(runtime_.instances("web", "r2").empty());
}

TEST_F(DeployerTest, RollbackWithoutStandbyRedeploysTheEarlierRelease) {
  add_service(2);
  ASSERT_TRUE(deploy(spec(2))->ok());
  auto run = finish(deployer_.rollback(RollbackRequest{.service = "web", .to = "r1"}));
  ASSERT_TRUE(run->ok()) << run->reason();
  EXPECT_EQ(deployer_.live("web")->id, "r1");
  EXPECT_EQ(status_of("r2"), ReleaseStatus::rolled_back);
  EXPECT_EQ(runtime_.instances("web", "r1").size(), 2u);
}

TEST_F(DeployerTest, RollbackToAnUnknownReleaseIsRefused) {
  add_service(1);
  auto refused = deployer_.rollback(RollbackRequest{.service = "web", .to = "r9"});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("no release r9"), std::string::npos);
  EXPECT_FALSE(deployer_.rollback(RollbackRequest{.service = "web"}));  // nothing earlier
}

TEST_F(DeployerTest, RecreatePausesTrafficStopsTheOldThenStartsTheNew) {
  add_service(1, Strategy::recreate);
  auto run = deploy(spec(1));
  ASSERT_TRUE(run->ok()) << run->reason();
  auto& log = runtime_.log_;
  auto at = [&](const std::string& line) { return std::find(log.begin(), log.end(), line) - log.begin(); };
  EXPECT_LT(at("traffic paused"), at("stop r1 0"));
  EXPECT_LT(at("stop r1 0"), at("run r2 1"));
  EXPECT_LT(at("run r2 1"), at("traffic"));
  EXPECT_FALSE(runtime_.switches_.back().split.paused);
  EXPECT_EQ(runtime_.switches_.back().releases, std::set<std::string>{"r2"});
}

TEST_F(DeployerTest, AFailedRecreateBringsTheOldReleaseBackAndResumes) {
  add_service(1, Strategy::recreate);
  auto run = deploy(spec(1, "never"));
  EXPECT_FALSE(run->ok());
  EXPECT_EQ(deployer_.live("web")->id, "r1");
  EXPECT_EQ(runtime_.instances("web", "r1").size(), 1u);
  EXPECT_FALSE(runtime_.switches_.back().split.paused);
  EXPECT_EQ(runtime_.switches_.back().releases, std::set<std::string>{"r1"});
}

TEST_F(DeployerTest, AFailingPreDeployHookStopsTheDeployBeforeAnyInstanceStarts) {
  add_service(1);
  auto s = spec(1);
  s.deploy.pre_deploy = HookCommand{{"false"}, true};
  auto run = deploy(s);
  EXPECT_FALSE(run->ok());
  EXPECT_NE(run->reason().find("pre_deploy hook failed"), std::string::npos) << run->reason();
  EXPECT_NE(run->reason().find("migration failed"), std::string::npos);
  EXPECT_EQ(runtime_.started_["r2"], 0u);
}

TEST_F(DeployerTest, AFailingSmokeTestRollsBackBeforeTheNewReleaseTakesTraffic) {
  add_service(2, Strategy::blue_green);
  auto s = spec(2);
  s.deploy.smoke = HookCommand{{"false"}, true};
  auto run = deploy(s);
  EXPECT_FALSE(run->ok());
  for (const auto& sw : runtime_.switches_) EXPECT_FALSE(sw.releases.contains("r2"));
  EXPECT_EQ(deployer_.live("web")->id, "r1");
}

TEST_F(DeployerTest, TheSmokeHookGetsTheNewInstancesAddresses) {
  add_service(2, Strategy::blue_green);
  auto s = spec(2);
  s.deploy.smoke = HookCommand{{"true"}, true};
  ASSERT_TRUE(deploy(s)->ok());
  ASSERT_EQ(runtime_.hook_env_.size(), 1u);
  EXPECT_EQ(runtime_.hook_env_[0].first, "BATON_TARGETS");
  EXPECT_EQ(std::count(runtime_.hook_env_[0].second.begin(), runtime_.hook_env_[0].second.end(), ','), 1);
}

TEST_F(DeployerTest, EveryDeployWritesEventsEndingInDoneOrFailed) {
  add_service(1);
  auto ok = deploy(spec(1));
  EXPECT_EQ(ok->events().front().kind, "started");
  EXPECT_EQ(ok->events().back().kind, "done");
  auto failed = deploy(spec(1, "never"));
  EXPECT_EQ(failed->events().back().kind, "failed");
}
TEST_F(DeployerTest, EveryEndedRunIsCountedByKindStrategyAndOutcome) {
  add_service(1);
  ASSERT_TRUE(deploy(spec(1), Strategy::blue_green)->ok());
  ASSERT_TRUE(deploy(spec(1), Strategy::rolling)->ok());
  ASSERT_FALSE(deploy(spec(1, "never"), Strategy::rolling)->ok());
  const auto& tallies = deployer_.stats().tallies();
  ASSERT_EQ(tallies.size(), 3u);
  auto count = [&](std::string strategy, std::string outcome) {
    auto found = tallies.find(DeployOutcome{"web", "deploy", strategy, outcome});
    return found == tallies.end() ? 0u : found->second.count;
  };
  EXPECT_EQ(count("blue-green", "succeeded"), 1u);
  EXPECT_EQ(count("rolling", "succeeded"), 1u);
  EXPECT_EQ(count("rolling", "failed"), 1u);
  for (const auto& [outcome, tally] : tallies) EXPECT_EQ(tally.duration.count(), tally.count);
}

TEST_F(DeployerTest, EveryReleaseChangeAndEveryDeployStepIsJournaled) {
  add_service(1);
  EXPECT_EQ(journal_.changes_, (std::vector<std::string>{"r1:deploying", "r1:live"}));
  journal_.changes_.clear();
  ASSERT_TRUE(deploy(spec(1))->ok());
  EXPECT_EQ(journal_.deploys_, (std::vector<std::string>{"deploy r1->r2"}));
  EXPECT_EQ(journal_.changes_, (std::vector<std::string>{"r2:deploying", "r1:retired", "r2:live"}));
  ASSERT_FALSE(journal_.events_.empty());
  EXPECT_EQ(journal_.events_.front(), "started");
  EXPECT_EQ(journal_.events_.back(), "done");
  EXPECT_EQ(journal_.finished_, (std::vector<std::string>{"1:ok"}));
  EXPECT_FALSE(deploy(spec(1, "never"))->ok());
  EXPECT_EQ(journal_.finished_.back(), "2:failed");
}

TEST_F(DeployerTest, ADeployTheJournalRefusesNeverStarts) {
  add_service(1);
  journal_.refuse_ = "deploy 4 of 'web' is running";
  auto refused = deployer_.deploy(DeployRequest{.service = "web", .spec = spec(1), .version = "v2"});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("deploy 4 of 'web' is running"), std::string::npos) << refused.error();
  EXPECT_EQ(runtime_.started_["r2"], 0u);
  EXPECT_EQ(status_of("r2"), ReleaseStatus::failed);
  EXPECT_EQ(deployer_.live("web")->id, "r1");
  EXPECT_FALSE(deployer_.running("web"));
}

TEST_F(DeployerTest, ARestartedDaemonBringsBackTheLiveReleaseAndEndsTheInterruptedOne) {
  add_service(2, Strategy::rolling,
              {past("r1", ReleaseStatus::retired), past("r2", ReleaseStatus::live, 2),
               past("r3", ReleaseStatus::deploying)});
  EXPECT_EQ(deployer_.live("web")->id, "r2");
  EXPECT_EQ(runtime_.started_["r2"], 2u);
  EXPECT_EQ(runtime_.started_["r3"], 0u);
  EXPECT_EQ(status_of("r1"), ReleaseStatus::retired);
  EXPECT_EQ(status_of("r3"), ReleaseStatus::failed);
  ASSERT_TRUE(deploy(spec(2))->ok());
  EXPECT_EQ(deployer_.live("web")->id, "r4") << "ids continue after the history";
}

TEST_F(DeployerTest, ADaemonStoppedInsideABlueGreenSwitchComesBackOnTheStandby) {
  add_service(1, Strategy::blue_green,
              {past("r1", ReleaseStatus::retired), past("r2", ReleaseStatus::standby),
               past("r3", ReleaseStatus::deploying)});
  EXPECT_EQ(deployer_.live("web")->id, "r2");
  EXPECT_EQ(status_of("r3"), ReleaseStatus::failed);
  EXPECT_TRUE(deployer_.standby("web").empty());
}

TEST_F(DeployerTest, AnOlderStandbyIsRetiredWhenTheDaemonComesBack) {
  add_service(1, Strategy::blue_green, {past("r1", ReleaseStatus::standby), past("r2", ReleaseStatus::live)});
  EXPECT_EQ(deployer_.live("web")->id, "r2");
  EXPECT_EQ(status_of("r1"), ReleaseStatus::retired);
  EXPECT_EQ(runtime_.started_["r1"], 0u);
  ASSERT_TRUE(finish(deployer_.rollback(RollbackRequest{.service = "web"}))->ok())
      << "a retired release can still be rolled back to, by starting it again";
  EXPECT_EQ(deployer_.live("web")->id, "r1");
}
TEST_F(DeployerTest, ScalingChangesTheLiveReleaseInPlaceAndDrainsTheLeavingInstances) {
  add_service(2);
  auto up = finish(deployer_.scale(ScaleRequest{.service = "web", .instances = 4}));
  ASSERT_TRUE(up->ok()) << up->reason();
  EXPECT_EQ(runtime_.instances("web", "r1").size(), 4u);
  EXPECT_EQ(deployer_.live("web")->spec.instances, 4u);
  EXPECT_EQ(deployer_.releases("web")->size(), 1u) << "no new release";
  auto down = finish(deployer_.scale(ScaleRequest{.service = "web", .instances = 1}));
  ASSERT_TRUE(down->ok()) << down->reason();
  EXPECT_EQ(runtime_.instances("web", "r1").size(), 1u);
  bool drained = false;
  for (const auto& e : down->events()) drained = drained || e.kind == "drained";
  EXPECT_TRUE(drained) << "leaving instances drain before they stop";
  EXPECT_FALSE(runtime_.traffic("web").releases.at("r1").has_value()) << "all instances take traffic again";
  EXPECT_EQ(journal_.changes_.back(), "r1:live");
}

TEST_F(DeployerTest, AScaleUpWhoseInstancesNeverPassFailsAndLeavesTheOldCount) {
  add_service(1);
  ASSERT_TRUE(deploy(spec(1))->ok());  // r2, healthy
  runtime_.next_behaviour_ = "never";
  auto up = finish(deployer_.scale(ScaleRequest{.service = "web", .instances = 3}));
  EXPECT_FALSE(up->ok());
  EXPECT_EQ(runtime_.instances("web", "r2").size(), 1u);
  EXPECT_EQ(deployer_.live("web")->spec.instances, 1u);
  EXPECT_EQ(status_of("r2"), ReleaseStatus::live) << "a failed scale fails no release";
}

TEST_F(DeployerTest, AScaleIsRefusedWhileADeployRuns) {
  add_service(1);
  auto first = deployer_.deploy(DeployRequest{.service = "web", .spec = spec(1), .version = "a"});
  ASSERT_TRUE(first);
  auto refused = deployer_.scale(ScaleRequest{.service = "web", .instances = 3});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("is running"), std::string::npos) << refused.error();
  finish(std::move(first));
}
// Between begin_removal and remove_service the service drains: a run started then would hold it
// after it is erased.
TEST_F(DeployerTest, AServiceBeingRemovedTakesNoDeployRollbackScaleOrPause) {
  add_service(1, Strategy::blue_green);
  ASSERT_TRUE(deploy(spec(1))->ok());  // r1 stays as a warm standby, its expiry armed
  deployer_.begin_removal("web");
  std::vector<std::string> errors;
  auto refused = [&](auto started) {
    EXPECT_FALSE(started);
    if (!started) errors.push_back(started.error());
  };
  refused(deployer_.deploy(DeployRequest{.service = "web", .spec = spec(1), .version = "v3"}));
  refused(deployer_.rollback(RollbackRequest{.service = "web"}));
  refused(deployer_.scale(ScaleRequest{.service = "web", .instances = 2}));
  refused(deployer_.pause("web", true));
  for (const auto& error : errors) EXPECT_NE(error.find("web is being removed"), std::string::npos) << error;
  EXPECT_EQ(deployer_.releases("web")->size(), 2u) << "no release was added";
  asio::co_spawn(io_, deployer_.remove_service("web"), asio::detached);
  io_.run_for(50ms);
  EXPECT_FALSE(deployer_.contains("web"));
  EXPECT_TRUE(runtime_.instances("web", "r1").empty());
  EXPECT_TRUE(runtime_.instances("web", "r2").empty());
}

TEST_F(DeployerTest, TheHistoryKeepsTheNewestReleasesAndNeverTheLiveOrStandbyOne) {
  add_service(1, Strategy::blue_green);
  for (std::size_t i = 0; i < kKeptReleases + 5; ++i) ASSERT_TRUE(deploy(spec(1))->ok());
  io_.run_for(10ms);
  const auto& releases = *deployer_.releases("web");
  EXPECT_EQ(releases.size(), kKeptReleases);
  EXPECT_EQ(releases.back().id, deployer_.live("web")->id);
  EXPECT_EQ(journal_.forgotten_.size(), 6u);
  EXPECT_EQ(journal_.forgotten_.front(), "r1");
  bool standby_kept = false;
  for (const auto& r : releases) standby_kept = standby_kept || r.id == deployer_.standby("web");
  EXPECT_TRUE(standby_kept);
}
}  // namespace
}  // namespace baton::deploy

namespace baton::deploy {
namespace {
// The runner's side of a canary and a watch: windows read from the runtime's counters, the
// operator's commands reaching a waiting canary, a failing watch putting the standby back.
class CanaryRunTest : public DeployerTest {
 protected:
  ReleaseSpec canary_spec(std::vector<unsigned> steps, std::chrono::milliseconds interval) const {
    auto s = spec(2);
    s.deploy.canary.steps = std::move(steps);
    s.deploy.canary.interval = interval;
    s.deploy.canary.max_extensions = 0;
    return s;
  }
};

TEST_F(CanaryRunTest, AQuietCanaryThatMayPassWalksItsWeightsAndIsPromoted) {
  add_service(2);
  auto s = canary_spec({20, 60}, 5ms);
  s.deploy.canary.pass_when_quiet = true;
  auto run = deploy(s, Strategy::canary);
  ASSERT_TRUE(run->ok()) << run->reason();
  std::vector<unsigned> shares;
  for (const auto& change : runtime_.switches_)
    if (change.split.weights.contains("r2")) shares.push_back(change.split.weights.at("r2"));
  EXPECT_EQ(shares, (std::vector<unsigned>{20, 60}));
  EXPECT_EQ(runtime_.switches_.back().releases, std::set<std::string>{"r2"});
  EXPECT_TRUE(runtime_.switches_.back().split.weights.empty());
  EXPECT_EQ(status_of("r1"), ReleaseStatus::retired);
  EXPECT_TRUE(runtime_.instances("web", "r1").empty());
}

TEST_F(CanaryRunTest, AQuietCanaryFailsByDefaultAndTheLiveReleaseKeepsEverything) {
  add_service(2);
  auto run = deploy(canary_spec({20}, 5ms), Strategy::canary);
  ASSERT_FALSE(run->ok());
  EXPECT_NE(run->reason().find("too few requests to judge the canary at 20%: 0 of 50"), std::string::npos)
      << run->reason();
  EXPECT_EQ(runtime_.switches_.back().releases, std::set<std::string>{"r1"});
  EXPECT_TRUE(runtime_.instances("web", "r2").empty());
  EXPECT_EQ(runtime_.instances("web", "r1").size(), 2u);
  EXPECT_EQ(deployer_.live("web")->id, "r1");
}

TEST_F(CanaryRunTest, TheOperatorAbortsAWaitingCanaryAndNothingElseTakesCommands) {
  add_service(2);
  auto refused = deployer_.steer("web", OperatorCommand::promote);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("no deploy of web is running"), std::string::npos) << refused.error();
  auto started = deployer_.deploy(
      DeployRequest{.service = "web", .spec = canary_spec({10}, 60s), .version = "v2", .strategy = Strategy::canary});
  ASSERT_TRUE(started);
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (runtime_.switches_.empty() && std::chrono::steady_clock::now() < deadline) io_.run_for(5ms);
  ASSERT_TRUE(deployer_.steer("web", OperatorCommand::abort));
  auto run = finish(started);
  ASSERT_FALSE(run->ok());
  EXPECT_NE(run->reason().find("aborted by the operator at 10%"), std::string::npos) << run->reason();
  EXPECT_EQ(deployer_.live("web")->id, "r1");
  auto rolling = deployer_.deploy(DeployRequest{.service = "web", .spec = spec(2), .version = "v3"});
  ASSERT_TRUE(rolling);
  auto not_canary = deployer_.steer("web", OperatorCommand::promote);
  ASSERT_FALSE(not_canary);
  EXPECT_NE(not_canary.error().find("not a canary"), std::string::npos) << not_canary.error();
  finish(rolling);
}

TEST_F(CanaryRunTest, ACanaryOfAnExternalServiceOrARecreateServiceIsRefused) {
  add_service(1, Strategy::recreate);
  auto refused = deployer_.deploy(
      DeployRequest{.service = "web", .spec = spec(1), .version = "v2", .strategy = Strategy::canary});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("cannot run twice"), std::string::npos) << refused.error();
  EXPECT_EQ(deployer_.releases("web")->size(), 1u) << "nothing was recorded";
}

TEST_F(CanaryRunTest, AFailingWatchPutsTheWarmStandbyBackAndFailsTheDeploy) {
  add_service(1, Strategy::blue_green);
  runtime_.traffic_["r1"].responses[static_cast<std::size_t>(metrics::StatusClass::success)] = 1000;
  auto s = spec(1);
  s.deploy.watch = 20ms;
  s.deploy.canary.min_requests = 1;
  auto started = deployer_.deploy(DeployRequest{.service = "web", .spec = s, .version = "v2"});
  ASSERT_TRUE(started);
  // The new release fails every request it gets once it has every request.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (deployer_.standby("web").empty() && std::chrono::steady_clock::now() < deadline) io_.run_for(1ms);
  runtime_.traffic_["r2"].responses[static_cast<std::size_t>(metrics::StatusClass::server_error)] = 100;
  auto run = finish(started);
  ASSERT_FALSE(run->ok());
  EXPECT_NE(run->reason().find("the watch failed: error rate 100.0%"), std::string::npos) << run->reason();
  EXPECT_EQ(deployer_.live("web")->id, "r1");
  EXPECT_EQ(status_of("r1"), ReleaseStatus::live);
  EXPECT_EQ(status_of("r2"), ReleaseStatus::failed);
  EXPECT_EQ(deployer_.standby("web"), "");
  EXPECT_EQ(runtime_.switches_.back().releases, std::set<std::string>{"r1"});
  EXPECT_TRUE(runtime_.instances("web", "r2").empty());
}
}  // namespace
}  // namespace baton::deploy
