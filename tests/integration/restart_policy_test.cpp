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

  // The pid of instance 0, which must be a real process (never 0: kill(0) is the test's own group).
  pid_t pid0() {
    pid_t pid = instance0().value("pid", 0);
    EXPECT_GT(pid, 0) << cli({"ls", "--json"}).second;
    return pid;
  }

  // `baton releases job --json` once it lists a second release (or what it last said).
  nlohmann::json releases_after_a_cron_restart() {
    nlohmann::json releases;
    eventually([&] {
      releases = nlohmann::json::parse(cli({"releases", "job", "--json"}).second, nullptr, false);
      return releases.is_object() && releases["releases"].size() >= 2;
    });
    return releases.is_object() ? releases : nlohmann::json{{"releases", nlohmann::json::array()}};
  }

  // `baton daemon` with no config: services come from `baton start NAME ... -- CMD`.
  void start_bare_daemon() {
    home_ = (dir_.path() / "home").string();
    bare_ = std::make_unique<Process>("daemon", std::vector<std::string>{baton_binary(), "daemon", "--home", home_},
                                      dir_.path());
    EXPECT_TRUE(eventually([&] { return cli({"ls"}).first == 0; })) << bare_->output(Stream::err);
  }

  std::pair<int, std::string> start_command(std::vector<std::string> words) {
    std::vector<std::string> args{baton_binary(), "start"};
    for (auto& word : words) args.push_back(word == "HOME" ? home_ : word);
    Process starting("start-" + std::to_string(++starts_), args, dir_.path());
    auto code = starting.wait();
    return {code.value_or(-1), starting.output(Stream::out) + starting.output(Stream::err)};
  }

  void TearDown() override {
    if (bare_ && !bare_->wait(std::chrono::milliseconds(0))) {
      cli({"shutdown", "--stop-apps"});
      bare_->wait();
    }
    Deploys::TearDown();
  }

  std::unique_ptr<Process> bare_;
  unsigned starts_ = 0;
};

TEST_F(RestartPolicies, AnInstancePastMaxRestartsIsErroredInLsUntilARestart) {
  auto fixed = dir_.path() / "fixed";
  std::ofstream(fixed) << "yes";
  start_job(fmt::format("\"[ -f {} ] && exec sleep 1000; echo broken; exit 1\"", fixed.string()),
            "max_restarts = 2\nrestart_window = \"1m\"\nrestart_delay = \"50ms\"\n");
  ASSERT_TRUE(eventually([&] { return state0() == "running"; })) << cli({"ls", "--json"}).second;
  std::filesystem::remove(fixed);
  pid_t pid = pid0();
  ASSERT_GT(pid, 0);
  ::kill(pid, SIGKILL);
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
  pid_t pid = pid0();
  ASSERT_GT(pid, 0);
  ::kill(pid, SIGTERM);
  ASSERT_TRUE(eventually([&] { return state0() == "exited"; })) << cli({"ls", "--json"}).second;
  EXPECT_NE(instance0().value("last_error", "").find("autorestart = \"never\""), std::string::npos) << instance0();
  EXPECT_EQ(instance0().value("restarts", 1u), 0u);
  // A release that fails before it is ready (exit 3: not a completed job) is not waited for until deploy_timeout.
  auto started = std::chrono::steady_clock::now();
  // cli() appends --home, which after "--" only becomes the shell's $0.
  auto [code, out] = cli({"deploy", "job", "--home", home_, "--", "/bin/sh", "-c", "exit 3"});
  EXPECT_NE(code, 0) << out;
  EXPECT_NE(out.find("is not restarted"), std::string::npos) << out;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(50)) << "failed at once, not at the timeout";
}

TEST_F(RestartPolicies, CronRestartRestartsTheLiveReleaseOnItsSchedule) {
  start_job("\"exec sleep 1000\"", "cron_restart = \"*/2 * * * * *\"\n");
  ASSERT_TRUE(eventually([&] { return state0() == "running"; })) << cli({"ls", "--json"}).second;
  auto first_pid = instance0().value("pid", 0);
  auto releases = releases_after_a_cron_restart();
  ASSERT_GE(releases["releases"].size(), 2u) << releases;
  EXPECT_EQ(releases["releases"][1]["created_by"], "cron_restart") << releases;
  EXPECT_EQ(releases["releases"][1]["version"], releases["releases"][0]["version"]) << "the same code, restarted";
  ASSERT_TRUE(eventually([&] { return state0() == "running" && instance0().value("pid", 0) != first_pid; }));
}

TEST_F(RestartPolicies, StartTakesThePolicyAsFlagsAndRefusesABadValueNamingTheKey) {
  start_bare_daemon();
  auto [refused, why] = start_command({"job", "--autorestart", "sometimes", "--home", "HOME", "--", "sleep", "1000"});
  EXPECT_NE(refused, 0) << why;
  EXPECT_NE(why.find("autorestart"), std::string::npos) << why;
  EXPECT_EQ(cli({"ls", "job"}).first, 2) << "nothing registered";

  auto [code, out] = start_command({"job", "--autorestart", "never", "--max-memory", "512m", "--stop-timeout", "2s",
                                    "--min-uptime", "200ms", "--home", "HOME", "--", "sleep", "1000"});
  ASSERT_EQ(code, 0) << out;
  ASSERT_TRUE(eventually([&] { return state0() == "running"; })) << cli({"ls", "--json"}).second;
  pid_t pid = pid0();
  ASSERT_GT(pid, 0);
  ::kill(pid, SIGKILL);
  EXPECT_TRUE(eventually([&] { return state0() == "exited"; })) << "autorestart = never came through";

  auto [cron_code, cron_out] = start_command({"job", "--cron-restart", "*/2 * * * * *", "--min-uptime", "200ms",
                                              "--home", "HOME", "--", "sleep", "1000"});
  EXPECT_NE(cron_code, 0) << "job exists already: " << cron_out;
  auto [second, second_out] = start_command({"nightly", "--cron-restart", "*/2 * * * * *", "--min-uptime", "200ms",
                                             "--home", "HOME", "--", "sleep", "1000"});
  ASSERT_EQ(second, 0) << second_out;
  nlohmann::json releases;
  EXPECT_TRUE(eventually([&] {
    releases = nlohmann::json::parse(cli({"releases", "nightly", "--json"}).second, nullptr, false);
    return releases.is_object() && releases["releases"].size() >= 2;
  })) << releases;
  if (releases.is_object() && releases["releases"].size() >= 2)
    EXPECT_EQ(releases["releases"][1]["created_by"], "cron_restart") << releases;
}

TEST_F(RestartPolicies, AOneShotJobThatCronRestartsRunsEachTimeWithoutAFailedDeploy) {
  auto runs = dir_.path() / "runs";
  start_job(fmt::format("\"echo ran >> {}\"", runs.string()),
            "autorestart = \"never\"\ncron_restart = \"*/2 * * * * *\"\n");
  ASSERT_TRUE(eventually([&] { return state0() == "exited"; })) << cli({"ls", "--json"}).second;
  ASSERT_TRUE(eventually([&] {
    auto text = read_text(runs);
    return std::count(text.begin(), text.end(), '\n') >= 3;
  })) << read_text(runs);
  auto releases = nlohmann::json::parse(cli({"releases", "job", "--json"}).second, nullptr, false);
  ASSERT_TRUE(releases.is_object()) << releases;
  for (const auto& release : releases["releases"])
    EXPECT_NE(release.value("status", ""), "failed") << "a clean one-shot run is a done deploy: " << releases;
}
}  // namespace
}  // namespace baton::itest
