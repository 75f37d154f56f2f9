// `baton keeper`: the listening sockets outlive the daemon. Under load, the daemon
// is killed with SIGKILL again and again; no connection is refused, the only
// requests that fail are the ones it held, and the apps are adopted, never restarted.
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>

#include "keeper_fixture.hpp"

namespace baton::itest {
namespace {
class Keeper : public KeeperRun {};

TEST_F(Keeper, ADaemonKilledUnderLoadRefusesNoConnectionAndRestartsNoApp) {
  start_keeper(2);
  auto apps = app_pids();
  ASSERT_EQ(apps.size(), 2u);
  auto& load = start_load(port_);
  constexpr int kKills = 5;
  for (int kill = 0; kill < kKills; ++kill) {
    ASSERT_NO_FATAL_FAILURE(signal_daemon_and_wait_for_the_next(SIGKILL));
    ASSERT_TRUE(eventually([&] { return serves(); })) << "served again after kill " << kill;
    ASSERT_TRUE(eventually([&] { return healthy(); }));
  }
  auto summary = stop_load(load);
  EXPECT_GT(summary["requests"].get<std::uint64_t>(), 0u) << summary;
  EXPECT_FALSE(summary["errors"].contains("connect_refused")) << "a connection was refused: " << summary;
  // Only what a killed daemon held can fail: at most one request per load connection per kill.
  EXPECT_LE(summary["failed"].get<std::uint64_t>(), 8u * kKills) << summary;
  EXPECT_EQ(app_pids(), apps) << "the apps were adopted, not restarted";
}

TEST_F(Keeper, ASecondKeeperOnTheSameHomeIsRefusedWithThePidOfTheFirst) {
  start_keeper(1);
  Process second("second-keeper", {baton_binary(), "keeper", "--home", home_}, dir_.path());
  auto code = second.wait();
  EXPECT_EQ(code.value_or(-1), 1);
  EXPECT_NE(second.output(Stream::err).find("another baton keeper runs with the home"), std::string::npos)
      << second.output(Stream::err);
  EXPECT_TRUE(serves());
}

// `systemctl stop` or `restart`: the keeper and the daemon stop, the apps run on, and the next
// keeper adopts them.
TEST_F(Keeper, StoppingTheKeeperStopsTheDaemonGracefullyAndLeavesTheApps) {
  start_keeper(2);
  auto apps = app_pids();
  ASSERT_EQ(apps.size(), 2u);
  keeper_->signal(SIGTERM);
  auto code = keeper_->wait();
  EXPECT_EQ(code.value_or(-1), 0) << keeper_->output(Stream::err);
  EXPECT_NE(keeper_->output(Stream::err).find("event=keeper_stopped exit=0"), std::string::npos);
  Client client(port_);
  EXPECT_FALSE(client.get("/hello")) << "the listener is closed once the keeper is gone";
  for (pid_t pid : apps) EXPECT_EQ(::kill(pid, 0), 0) << "app " << pid << " stopped with the keeper";

  keeper_.reset();
  start_keeper(2);
  EXPECT_EQ(app_pids(), apps) << "the next keeper's daemon adopts them";
}

// SIGTERM to the daemon alone is a restart: the keeper starts the next one on the same sockets.
TEST_F(Keeper, SigtermToTheDaemonRestartsItUnderLoadWithoutAFailedRequestOrAnAppRestart) {
  start_keeper(2);
  auto apps = app_pids();
  ASSERT_EQ(apps.size(), 2u);
  auto& load = start_load(port_);
  constexpr int kRestarts = 3;
  for (int i = 0; i < kRestarts; ++i) {
    ASSERT_NO_FATAL_FAILURE(signal_daemon_and_wait_for_the_next(SIGTERM));
    ASSERT_TRUE(eventually([&] { return healthy(); }));
  }
  auto summary = stop_load(load);
  std::printf("%d daemon restarts (SIGTERM) under load: %s\n", kRestarts, summary.dump().c_str());
  expect_no_failure_nor_refusal(summary);
  EXPECT_EQ(app_pids(), apps) << "the apps were adopted, not restarted";
  EXPECT_FALSE(keeper_->wait(std::chrono::milliseconds(0))) << "the keeper still runs";
}

// `baton shutdown` under a keeper ends both; `--stop-apps` the apps too.
TEST_F(Keeper, ShutdownEndsTheKeeperAndOnlyStopAppsStopsTheApps) {
  start_keeper(1);
  auto apps = app_pids();
  ASSERT_EQ(apps.size(), 1u);
  keeper_->expect_exit();
  auto [code, out] = cli({"shutdown"});
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(keeper_->wait().value_or(-1), 0) << keeper_->output(Stream::err);
  EXPECT_EQ(::kill(*apps.begin(), 0), 0) << "the app stopped with the daemon";

  keeper_.reset();
  start_keeper(1);
  EXPECT_EQ(app_pids(), apps);
  keeper_->expect_exit();
  auto [stopped, stopped_out] = cli({"shutdown", "--stop-apps"});
  EXPECT_EQ(stopped, 0) << stopped_out;
  EXPECT_EQ(keeper_->wait().value_or(-1), 0) << keeper_->output(Stream::err);
  EXPECT_TRUE(eventually([&] { return ::kill(*apps.begin(), 0) != 0; })) << "the app still runs";
}
// Two builds of Baton that differ in `baton version`, swapped back and forth under load.
TEST_F(Keeper, UpgradesBetweenTwoBuildsUnderLoadFailNoRequestAndRestartNoApp) {
  start_keeper(2);
  auto apps = app_pids();
  ASSERT_EQ(apps.size(), 2u);
  auto& load = start_load(port_);
  constexpr int kUpgrades = 20;
  for (int i = 0; i < kUpgrades; ++i) {
    pid_t before = daemon_pid();
    bool to_next = i % 2 == 0;
    auto [code, out] = cli({"upgrade", "--binary", to_next ? next_binary() : baton_binary()});
    ASSERT_EQ(code, 0) << out << keeper_->output(Stream::err);
    EXPECT_NE(out.find("upgraded to"), std::string::npos) << out;
    EXPECT_NE(daemon_pid(), before) << "a new daemon serves";
    auto status = nlohmann::json::parse(cli({"ls", "--json"}).second, nullptr, false);
    ASSERT_TRUE(status.is_object());
    auto running = status["daemon"]["version"].get<std::string>();
    EXPECT_EQ(running == BATON_NEXT_VERSION, to_next) << running;
  }
  auto summary = stop_load(load);
  std::printf("%d upgrades between two builds under load: %s\n", kUpgrades, summary.dump().c_str());
  expect_no_failure_nor_refusal(summary);
  EXPECT_EQ(app_pids(), apps) << "the apps were adopted, not restarted";
}

// The daemon before drains on its own while the next one serves: an upgrade neither waits for
// a WebSocket to end nor cuts it.
TEST_F(Keeper, AnUpgradeDoesNotWaitForAnOpenWebSocketWhichWorksOnUntilItCloses) {
  start_keeper(1);
  WsClient ws;
  ASSERT_TRUE(ws.connect(port_, "/ws")) << ws.last_error();
  ASSERT_TRUE(ws.write("before", true)) << ws.last_error();
  auto echoed = ws.read();
  ASSERT_TRUE(echoed) << ws.last_error();
  EXPECT_EQ(echoed->data, "before");
  pid_t before = daemon_pid();
  auto [code, out] = cli({"upgrade", "--binary", next_binary()});
  ASSERT_EQ(code, 0) << out << keeper_->output(Stream::err);
  EXPECT_NE(daemon_pid(), before);
  EXPECT_EQ(keeper_->output(Stream::err).find(fmt::format("event=daemon_drained pid={}", before)), std::string::npos)
      << "the daemon before still drains its WebSocket";
  EXPECT_TRUE(serves()) << "the next daemon serves new connections meanwhile";
  ASSERT_TRUE(ws.write("after", true)) << ws.last_error();
  echoed = ws.read();
  ASSERT_TRUE(echoed) << ws.last_error();
  EXPECT_EQ(echoed->data, "after");
  EXPECT_TRUE(ws.close()) << ws.last_error();
  EXPECT_TRUE(keeper_->wait_for_output(Stream::err, [&](std::string_view text) {
    return text.find(fmt::format("event=daemon_drained pid={}", before)) != std::string_view::npos;
  })) << keeper_->output(Stream::err);
}

// A deploy cut by an upgrade ends as a kill -9 would end it: the next daemon rolls it back (the
// live release serves on, the new one's instances stop) and the service takes the next deploy.
TEST_F(Keeper, AnUpgradeDuringADeployRollsItBackWithoutAFailedRequest) {
  start_keeper(1);
  auto live = app_pids();
  ASSERT_EQ(live.size(), 1u);
  auto& load = start_load(port_);
  auto [code, out] = deploy("v1", {"--detach"}, {"--startup-delay", "60000"});
  ASSERT_EQ(code, 0) << out;
  ASSERT_TRUE(eventually([&] { return app_pids().size() == 2; })) << "v1 started";
  auto [upgraded, upgrade_out] = cli({"upgrade", "--binary", next_binary()});
  ASSERT_EQ(upgraded, 0) << upgrade_out << keeper_->output(Stream::err);
  EXPECT_TRUE(eventually([&] { return app_pids() == live; }))
      << "the interrupted release's instance still runs: " << cli({"ls", "--json"}).second;
  auto releases = nlohmann::json::parse(cli({"releases", "web", "--json"}).second);
  ASSERT_EQ(releases["releases"].size(), 2u) << releases;
  EXPECT_EQ(releases["releases"][1]["status"], "failed") << releases;
  auto summary = stop_load(load);
  expect_no_failure(summary);
  EXPECT_EQ(summary["versions"].size(), 1u) << "only the live release answered: " << summary;
  auto [next, next_out] = deploy("v2");
  EXPECT_EQ(next, 0) << next_out;
}

// A build that knows an older state schema than the home's would fail at start: refused up front.
TEST_F(Keeper, AnUpgradeToABuildOfAnOlderStateSchemaIsRefused) {
  start_keeper(1);
  pid_t before = daemon_pid();
  auto old = dir_.path() / "baton-old";
  std::ofstream(old) << "#!/bin/sh\n[ \"$1\" = version ] && { echo 'baton 0.0.1'; echo 'state schema 1'; exit 0; }\nexit 3\n";
  std::filesystem::permissions(old, std::filesystem::perms::owner_all);
  auto [code, out] = cli({"upgrade", "--binary", old.string()});
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("incompatible state version"), std::string::npos) << out;
  EXPECT_EQ(daemon_pid(), before);
  EXPECT_TRUE(serves());
}

TEST_F(Keeper, AnUpgradeToSomethingThatIsNotBatonChangesNothing) {
  start_keeper(1);
  pid_t before = daemon_pid();
  auto [code, out] = cli({"upgrade", "--binary", "/bin/true"});
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("is not a Baton binary"), std::string::npos) << out;
  auto [missing, missing_out] = cli({"upgrade", "--binary", (dir_.path() / "nothing").string()});
  EXPECT_EQ(missing, 1) << missing_out;
  EXPECT_EQ(daemon_pid(), before);
  EXPECT_TRUE(serves());
}

// A "baton" that answers `version` like one and then dies at start: abandoned, the binary before serves.
TEST_F(Keeper, ANewBinaryThatDiesAtStartIsAbandonedForTheOneBefore) {
  start_keeper(1);
  auto fake = dir_.path() / "baton-broken";
  std::ofstream(fake) << "#!/bin/sh\n[ \"$1\" = version ] && { echo 'baton 9.9.9'; exit 0; }\nexit 3\n";
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  auto [code, out] = cli({"upgrade", "--binary", fake.string()});
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("failed"), std::string::npos) << out;
  EXPECT_NE(out.find("keeps serving"), std::string::npos) << out;
  EXPECT_TRUE(eventually([&] { return serves(); }));
  auto [ls_code, ls] = cli({"ls", "--json"});
  EXPECT_EQ(ls_code, 0) << ls;
}
}  // namespace
}  // namespace baton::itest
