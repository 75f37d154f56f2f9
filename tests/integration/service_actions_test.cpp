// Acting on a running service without a deploy: scale, stop, start, restart, and
// shutting the daemon down, all through the CLI, under load where it matters.
#include <fmt/format.h>

#include <csignal>

#include "deploy_fixture.hpp"

namespace baton::itest {
namespace {
class ServiceActions : public Deploys {
 protected:
  std::set<pid_t> pids() { return pids_of(cli({"ls", "--json"}).second); }

  std::pair<int, std::string> act(std::vector<std::string> words) {
    auto [code, out] = cli(std::move(words));
    return {code, out};
  }

  static unsigned status_at(std::uint16_t port) {
    Client client(port);
    auto response = client.get("/hello");
    return response ? response->status : 0;
  }
};

TEST_F(ServiceActions, ScalingUpAndDownUnderLoadFailsNoRequestAndSurvivesARestart) {
  auto& baton = start_service(2, "rolling");
  auto& load = start_load(baton.port());
  auto [up, up_out] = act({"scale", "web", "4"});
  ASSERT_EQ(up, 0) << up_out;
  EXPECT_EQ(pids().size(), 4u);
  auto [down, down_out] = act({"scale", "web", "1"});
  ASSERT_EQ(down, 0) << down_out;
  EXPECT_NE(down_out.find("drained"), std::string::npos) << down_out;
  EXPECT_EQ(pids().size(), 1u);
  expect_no_failure(stop_load(load));
  baton.process().signal(SIGTERM);
  baton.process().wait();
  restart_service();
  EXPECT_EQ(pids().size(), 1u) << "the scaled count is the live release's now";
}

TEST_F(ServiceActions, AStoppedServiceAnswers503UntilItIsStartedAgain) {
  auto& baton = start_service(2, "rolling");
  auto before = pids();
  auto [stopped, stop_out] = act({"stop", "web"});
  ASSERT_EQ(stopped, 0) << stop_out;
  EXPECT_TRUE(pids().empty());
  for (pid_t pid : before) EXPECT_TRUE(eventually([&] { return ::kill(pid, 0) != 0; })) << pid;
  EXPECT_EQ(status_at(baton.port()), 503u);
  EXPECT_EQ(act({"restart", "web"}).first, 1) << "a stopped service is started, not restarted";
  auto [started, start_out] = act({"start", "web"});
  ASSERT_EQ(started, 0) << start_out;
  EXPECT_EQ(pids().size(), 2u) << "the config's instance count";
  EXPECT_EQ(status_at(baton.port()), 200u);
}

TEST_F(ServiceActions, RestartReplacesEveryInstanceWithoutAFailedRequest) {
  auto& baton = start_service(2, "rolling");
  auto before = pids();
  auto& load = start_load(baton.port());
  auto [code, out] = act({"restart", "web"});
  ASSERT_EQ(code, 0) << out;
  expect_no_failure(stop_load(load));
  auto after = pids();
  ASSERT_EQ(after.size(), 2u);
  for (pid_t pid : after) EXPECT_FALSE(before.contains(pid)) << "instance " << pid << " was not replaced";
  auto releases = nlohmann::json::parse(cli({"releases", "web", "--json"}).second);
  ASSERT_EQ(releases["releases"].size(), 2u) << releases;
  EXPECT_EQ(releases["releases"][1]["version"], releases["releases"][0]["version"]) << "the same version, again";
  EXPECT_EQ(releases["releases"][1]["created_by"], "restart") << releases;
}

TEST_F(ServiceActions, ShutdownWithStopAppsStopsTheServicesThenTheDaemon) {
  auto& baton = start_service(2, "rolling");
  auto before = pids();
  baton.process().expect_exit();
  auto [code, out] = act({"shutdown", "--stop-apps"});
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(baton.process().wait(), 0);
  for (pid_t pid : before) EXPECT_TRUE(eventually([&] { return ::kill(pid, 0) != 0; })) << pid;
  EXPECT_EQ(act({"shutdown"}).first, 3) << "no daemon answers any more";
}

TEST_F(ServiceActions, ShutdownAloneLeavesTheAppsRunning) {
  auto& baton = start_service(2, "rolling");
  auto before = pids();
  baton.process().expect_exit();
  auto [code, out] = act({"shutdown"});
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("--stop-apps"), std::string::npos) << "says how to stop them: " << out;
  EXPECT_EQ(baton.process().wait(), 0);
  for (pid_t pid : before) EXPECT_EQ(::kill(pid, 0), 0) << pid << " stopped with the daemon";
}

TEST_F(ServiceActions, AShutdownWithABadBodyIsRefusedAndStopsNothing) {
  auto& baton = start_service(1, "rolling");
  auto socket = (std::filesystem::path(home_) / "baton.sock").string();
  for (std::string body : {R"({"stop_apps":"yes"})", R"({"stop":true})", "[1]", "{"}) {
    auto answer = ask_unix_socket(socket, "POST /v1/shutdown HTTP/1.1\r\nHost: baton\r\nConnection: close\r\n"
                                          "Content-Type: application/json\r\nContent-Length: " +
                                              std::to_string(body.size()) + "\r\n\r\n" + body);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << body << ": " << answer;
  }
  auto answer = ask_unix_socket(socket, "GET /v1/shutdown HTTP/1.1\r\nHost: baton\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 405")) << answer;
  EXPECT_FALSE(baton.process().wait(std::chrono::milliseconds(200))) << "the daemon still runs";
  EXPECT_EQ(pids().size(), 1u);
}

TEST_F(ServiceActions, JsonProgressKeepsTheExitCodeOfTheOutcome) {
  start_service(1, "blue-green", "2s");
  auto [deployed, deploy_out] = deploy("v1", {"--json"});
  EXPECT_EQ(deployed, 0) << deploy_out;
  EXPECT_NE(deploy_out.find("\"event\":\"end\""), std::string::npos) << deploy_out;
  auto [rolled, rollback_out] = act({"rollback", "web", "--json"});
  EXPECT_EQ(rolled, 0) << rollback_out;
  auto [scaled, scale_out] = act({"scale", "web", "2", "--json"});
  EXPECT_EQ(scaled, 0) << scale_out;
  auto [failed, fail_out] = deploy("v2", {"--json"}, {"--unhealthy"});
  EXPECT_EQ(failed, 1) << fail_out;
}

TEST_F(ServiceActions, BadActionsAreRefusedAndChangeNothing) {
  start_service(2, "rolling");
  auto before = pids();
  EXPECT_EQ(act({"scale", "web"}).first, 2);
  EXPECT_EQ(act({"scale", "web", "x"}).first, 2);
  EXPECT_EQ(act({"scale", "web", "1001"}).first, 2);
  EXPECT_EQ(act({"start", "web", "-i", "0"}).first, 2);
  EXPECT_EQ(act({"scale", "nosuch", "2"}).first, 2);
  EXPECT_EQ(act({"restart", "nosuch"}).first, 2);
  EXPECT_EQ(act({"status", "nosuch"}).first, 2);
  EXPECT_EQ(pids_of(act({"status", "web", "--json"}).second), before) << "status NAME shows that service";
  EXPECT_EQ(pids(), before);
}
}  // namespace
}  // namespace baton::itest
