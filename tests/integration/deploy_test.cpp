// Deploys against the real daemon under real load: baton-load records every
// request while releases are rolled, switched, recreated, failed and rolled
// back. The headline assertion of each test: zero failed requests.
#include <fmt/format.h>

#include <csignal>
#include <future>
#include <nlohmann/json.hpp>

#include "deploy_fixture.hpp"

namespace baton::itest {
namespace {
constexpr int kDeploys = 20;

TEST_F(Deploys, TwentyRollingDeploysUnderLoadFailNoRequest) {
  auto& baton = start_service(3, "rolling");
  auto& load = start_load(baton.port());
  for (int i = 1; i <= kDeploys; ++i) {
    auto [code, out] = deploy("v" + std::to_string(i));
    ASSERT_EQ(code, 0) << out;
  }
  auto summary = stop_load(load);
  expect_no_failure(summary);
  EXPECT_TRUE(summary["versions"].contains("v" + std::to_string(kDeploys))) << summary;
  // With the affinity cookie, no client ever went back to a release it had left.
  EXPECT_EQ(summary["version_regressions"].get<std::uint64_t>(), 0u) << summary;
}

TEST_F(Deploys, TwentyBlueGreenDeploysUnderLoadFailNoRequest) {
  auto& baton = start_service(2, "blue-green");
  auto& load = start_load(baton.port());
  for (int i = 1; i <= kDeploys; ++i) {
    auto [code, out] = deploy("v" + std::to_string(i));
    ASSERT_EQ(code, 0) << out;
    EXPECT_NE(out.find("traffic switched to"), std::string::npos) << out;
  }
  auto summary = stop_load(load);
  expect_no_failure(summary);
  EXPECT_EQ(summary["version_regressions"].get<std::uint64_t>(), 0u) << summary;
}

TEST_F(Deploys, TwentyRecreateDeploysUnderLoadFailNoRequest) {
  auto& baton = start_service(1, "recreate");
  auto& load = start_load(baton.port());
  for (int i = 1; i <= kDeploys; ++i) {
    auto [code, out] = deploy("v" + std::to_string(i));
    ASSERT_EQ(code, 0) << out;
    EXPECT_NE(out.find("traffic paused"), std::string::npos) << out;
  }
  expect_no_failure(stop_load(load));
}

TEST_F(Deploys, AReleaseThatNeverBecomesHealthyIsRolledBackAndNeverServes) {
  auto& baton = start_service(2, "rolling", "1s");
  auto& load = start_load(baton.port());
  auto [code, out] = deploy("broken", {}, {"--unhealthy"});
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("not healthy within"), std::string::npos) << out;
  EXPECT_NE(out.find("HTTP 503"), std::string::npos) << out;
  auto summary = stop_load(load);
  expect_no_failure(summary);
  EXPECT_FALSE(summary["versions"].contains("broken")) << summary;
  auto releases = cli({"releases", "web", "--json"}).second;
  EXPECT_NE(releases.find("\"status\":\"failed\""), std::string::npos) << releases;
  EXPECT_NE(releases.find("\"status\":\"live\""), std::string::npos) << releases;
}

TEST_F(Deploys, AReleaseThatExitsAtOnceFailsFastWithItsExitStatus) {
  auto& baton = start_service(2, "blue-green");
  auto& load = start_load(baton.port());
  auto [code, out] = deploy("crashing", {}, {"--exit-immediately"});
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("keeps exiting"), std::string::npos) << out;
  EXPECT_NE(out.find("exited with 1"), std::string::npos) << out;
  auto summary = stop_load(load);
  expect_no_failure(summary);
  EXPECT_FALSE(summary["versions"].contains("crashing")) << summary;
}

TEST_F(Deploys, ASlowRequestStartedOnTheOldReleaseFinishesThereWhileNewOnesReachTheNew) {
  auto& baton = start_service(1, "rolling");
  // Long enough to still be in flight when the drain starts on a loaded machine (sanitizers);
  // the drain waits for it however long it takes, up to drain_timeout.
  auto slow = std::async(std::launch::async, [port = baton.port()] {
    Client client(port);
    return client.get("/slow?ms=6000");
  });
  ASSERT_TRUE(eventually([&] { return cli({"ls", "--json"}).second.find("\"in_flight\":1") != std::string::npos; }));
  auto [code, out] = deploy("v1");
  ASSERT_EQ(code, 0) << out;
  Client client(baton.port());
  auto fresh = client.get("/hello");
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->header("X-Backend-Name").value_or(""), "v1");
  auto finished = slow.get();
  ASSERT_TRUE(finished);
  EXPECT_EQ(finished->status, 200u);
  EXPECT_EQ(finished->header("X-Backend-Name").value_or(""), "v0");
  EXPECT_NE(out.find("1 finished, 0 cut"), std::string::npos) << out;
}

// A WebSocket on the old release keeps working while the deploy drains it, and is closed at the
// drain deadline (counted as cut) before the old instance is signalled.
TEST_F(Deploys, AWebSocketOnTheOldReleaseRunsUntilTheDrainDeadline) {
  auto& baton = start_service(1, "rolling", "10s", "drain_timeout = \"1s\"\n");
  WsClient ws;
  ASSERT_TRUE(ws.connect(baton.port(), "/ws")) << ws.last_error();
  ASSERT_TRUE(ws.write("before", true));
  ASSERT_TRUE(ws.read());
  auto deploying = std::async(std::launch::async, [&] { return deploy("v1"); });
  // While the deploy waits on the drain, the tunnel still carries messages.
  ASSERT_TRUE(ws.write("during", true)) << ws.last_error();
  auto echoed = ws.read();
  ASSERT_TRUE(echoed) << ws.last_error();
  EXPECT_EQ(echoed->data, "during");
  auto [code, out] = deploying.get();
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("0 finished, 1 cut"), std::string::npos) << out;
  EXPECT_FALSE(ws.read());  // closed at the deadline
}

TEST_F(Deploys, RollbackToTheWarmStandbyIsOneSwitch) {
  auto& baton = start_service(2, "blue-green");
  ASSERT_EQ(deploy("v1").first, 0);
  auto [code, out] = cli({"rollback", "web"});
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("warm standby"), std::string::npos) << out;
  EXPECT_NE(out.find("r1"), std::string::npos) << out;
  Client client(baton.port());
  auto response = client.get("/hello");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->header("X-Backend-Name").value_or(""), "v0");
  auto releases = cli({"releases", "web"}).second;
  EXPECT_NE(releases.find("rolled_back"), std::string::npos) << releases;
}

// Progress reaches a pipe line by line while the deploy runs, not in one piece at its end.
TEST_F(Deploys, ProgressLinesReachAPipeWhileTheDeployRuns) {
  start_service(1, "rolling", "60s");
  // Never healthy: the deploy can only end at its 60 s deadline, long after the first lines.
  std::vector<std::string> args{baton_binary(), "deploy", "web", "--home", home_, "--json", "--version", "stuck",
                                "--", *backend_binary(), "--listen", "127.0.0.1:{port}", "--unhealthy"};
  Process deploying("deploy-stuck", args, dir_.path());
  EXPECT_TRUE(deploying.wait_for_output(Stream::out, [](std::string_view out) {
    return out.find("\"event\":\"started\"") != std::string_view::npos;
  })) << deploying.output(Stream::out);
  EXPECT_FALSE(deploying.wait(std::chrono::milliseconds(0))) << "the deploy ended early";
  EXPECT_NE(cli({"ls", "--json"}).second.find("\"deploy\""), std::string::npos);
  deploying.stop();
}

TEST_F(Deploys, ASecondDeployIsRefusedWhileOneRunsAndNamesIt) {
  start_service(1, "rolling");
  auto [code, out] = deploy("slow", {"--detach"}, {"--startup-delay", "2000"});
  ASSERT_EQ(code, 0) << out;
  auto [second, message] = deploy("other");
  EXPECT_EQ(second, 1) << message;
  EXPECT_NE(message.find("r2"), std::string::npos) << message;
  ASSERT_TRUE(eventually([&] { return cli({"releases", "web"}).second.find("live") != std::string::npos &&
                                      cli({"ls", "--json"}).second.find("\"deploy\"") == std::string::npos; }));
}

TEST_F(Deploys, PausedRequestsWaitAndAreServedOnResume) {
  auto& baton = start_service(1, "rolling");
  ASSERT_EQ(cli({"pause", "web"}).first, 0);
  auto held = std::async(std::launch::async, [port = baton.port()] {
    Client client(port);
    return client.get("/hello");
  });
  EXPECT_EQ(held.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  ASSERT_EQ(cli({"resume", "web"}).first, 0);
  auto response = held.get();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200u);
}

// Containers run by something else: the deploy health-checks the new address, switches, and returns
// once the old one is drained, so the caller can stop it.
TEST_F(Deploys, ExternalTargetsAreHealthCheckedSwitchedAndDrained) {
  Backend old_backend(*backend_binary(), "old", dir_);
  Backend new_backend(*backend_binary(), "new", dir_);
  auto& baton = start_baton(fmt::format("[services.web]\nlisten = \"127.0.0.1:0\"\ntargets = [\"{}\"]\n"
                                        "health = \"/health\"\ndeploy_timeout = \"1s\"\n",
                                        old_backend.address()));
  home_ = (dir_.path() / "home").string();
  ASSERT_TRUE(eventually([&] {
    Client client(baton.port());
    auto response = client.get("/hello");
    return response && response->header("X-Backend-Name").value_or("") == "old";
  }));
  auto& load = start_load(baton.port());
  auto [code, out] = cli({"deploy", "web", "--target", new_backend.address()});
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("drained"), std::string::npos) << out;
  Client client(baton.port());
  auto response = client.get("/hello");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->header("X-Backend-Name").value_or(""), "new");
  expect_no_failure(stop_load(load));
  // A target that never answers its check is refused and the live one stays.
  HeldPort dead;
  auto [refused, why] = cli({"deploy", "web", "--target", dead.address()});
  EXPECT_EQ(refused, 1) << why;
}

TEST_F(Deploys, BadDeployInputIsRefusedWithExitTwo) {
  start_service(1, "rolling");
  EXPECT_EQ(cli({"deploy", "nosuch"}).first, 2);
  EXPECT_EQ(cli({"deploy", "web", "--env", "NOEQUALS"}).first, 2);
  EXPECT_EQ(cli({"deploy", "web", "--strategy", "sideways"}).first, 2);
  EXPECT_EQ(cli({"deploy", "web", "--target", "127.0.0.1:1"}).first, 2);
  EXPECT_EQ(cli({"rollback", "web", "--to", "r9"}).first, 1);
  EXPECT_EQ(cli({"releases", "web"}).first, 0);
}
}  // namespace
}  // namespace baton::itest
