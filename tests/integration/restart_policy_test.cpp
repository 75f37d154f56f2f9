// Restart policies through the real daemon and CLI: an instance past max_restarts is `errored` in
// `baton ls` until `baton restart`; autorestart = "never" leaves it `exited`; cron_restart restarts
// the live release on its schedule, as `baton restart` does.
#include <fmt/format.h>

#include <csignal>
#include <fstream>

#include "deploy_fixture.hpp"

namespace baton::itest {
namespace {
class RestartPolicies : public Deploys {
 protected:
  // A daemon whose only service is `job` (a worker: no listener), with these extra keys.
  Baton& start_job(std::string_view command, std::string_view keys) {
    toml_ = fmt::format("[services.job]\ncommand = {}\nmin_uptime = \"200ms\"\nstop_timeout = \"2s\"\n{}",
                        command, keys);
    auto& baton = launch_baton(toml_);
    home_ = (dir_.path() / "home").string();
    return baton;
  }

  nlohmann::json instance0() {
    auto status = nlohmann::json::parse(cli({"ls", "--json"}).second, nullptr, false);
    if (!status.is_object() || status["instances"].empty()) return nlohmann::json::object();
    return status["instances"][0];
  }

  std::string state0() { return instance0().value("state", ""); }
};

TEST_F(RestartPolicies, AnInstancePastMaxRestartsIsErroredInLsUntilARestart) {
  auto fixed = dir_.path() / "fixed";
  std::ofstream(fixed) << "yes";
  start_job(fmt::format("\"[ -f {} ] && exec sleep 1000; echo broken; exit 1\"", fixed.string()),
            "max_restarts = 2\nrestart_window = \"1m\"\nrestart_delay = \"50ms\"\n");
  ASSERT_TRUE(eventually([&] { return state0() == "running"; })) << cli({"ls", "--json"}).second;
  std::filesystem::remove(fixed);
  ::kill(instance0().value("pid", 0), SIGKILL);
  ASSERT_TRUE(eventually([&] { return state0() == "errored"; })) << cli({"ls", "--json"}).second;
  auto errored = instance0();
  EXPECT_EQ(errored.value("pid", -1), 0);
  EXPECT_EQ(errored.value("restarts", 0u), 2u);
  EXPECT_NE(errored.value("last_error", "").find("2 restarts within 1m (max_restarts)"), std::string::npos) << errored;
  auto [code, table] = cli({"ls"});
  EXPECT_EQ(code, 0);
  EXPECT_NE(table.find("errored"), std::string::npos) << table;
  EXPECT_NE(table.find("job#0 errored: 2 restarts within 1m"), std::string::npos) << table;
  EXPECT_NE(table.find("'baton restart job' starts it again"), std::string::npos) << table;

  std::ofstream(fixed) << "yes";
  auto [restarted, out] = cli({"restart", "job"});
  ASSERT_EQ(restarted, 0) << out;
  ASSERT_TRUE(eventually([&] { return state0() == "running"; })) << cli({"ls", "--json"}).second;
  EXPECT_NE(instance0().value("pid", 0), 0);
}

TEST_F(RestartPolicies, NeverLeavesAnExitedInstanceAloneAndADeployOfItFailsAtOnce) {
  start_job("\"exec sleep 1000\"", "autorestart = \"never\"\ndeploy_timeout = \"60s\"\n");
  ASSERT_TRUE(eventually([&] { return state0() == "running"; })) << cli({"ls", "--json"}).second;
  ::kill(instance0().value("pid", 0), SIGTERM);
  ASSERT_TRUE(eventually([&] { return state0() == "exited"; })) << cli({"ls", "--json"}).second;
  EXPECT_NE(instance0().value("last_error", "").find("autorestart = \"never\""), std::string::npos) << instance0();
  EXPECT_EQ(instance0().value("restarts", 1u), 0u);
  // A release that exits before it is ready is not waited for until deploy_timeout.
  auto started = std::chrono::steady_clock::now();
  // cli() appends --home, which after "--" only becomes the shell's $0.
  auto [code, out] = cli({"deploy", "job", "--home", home_, "--", "/bin/sh", "-c", "exit 0"});
  EXPECT_NE(code, 0) << out;
  EXPECT_NE(out.find("is not restarted"), std::string::npos) << out;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(50)) << "failed at once, not at the timeout";
}

TEST_F(RestartPolicies, CronRestartRestartsTheLiveReleaseOnItsSchedule) {
  start_job("\"exec sleep 1000\"", "cron_restart = \"*/2 * * * * *\"\n");
  ASSERT_TRUE(eventually([&] { return state0() == "running"; })) << cli({"ls", "--json"}).second;
  auto first_pid = instance0().value("pid", 0);
  nlohmann::json releases;
  ASSERT_TRUE(eventually([&] {
    releases = nlohmann::json::parse(cli({"releases", "job", "--json"}).second, nullptr, false);
    return releases.is_object() && releases["releases"].size() >= 2;
  })) << releases;
  EXPECT_EQ(releases["releases"][1]["created_by"], "cron_restart") << releases;
  EXPECT_EQ(releases["releases"][1]["version"], releases["releases"][0]["version"]) << "the same code, restarted";
  ASSERT_TRUE(eventually([&] { return state0() == "running" && instance0().value("pid", 0) != first_pid; }));
}
}  // namespace
}  // namespace baton::itest
