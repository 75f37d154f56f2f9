// Managed services: Baton runs the instances itself (`command`, `instances`),
// routes to each once it accepts connections, and restarts one that dies.
#include <fmt/format.h>

#include <sys/stat.h>

#include <csignal>
#include <regex>
#include <set>

#include "harness.hpp"

namespace baton::itest {
namespace {
class Managed : public IntegrationTest {
 protected:

  Baton& start_managed(unsigned instances, std::string_view extra = "") {
    auto backend = backend_binary().value();
    auto toml = fmt::format(
        "[services.web]\nlisten = \"127.0.0.1:0\"\n"
        "command = [\"{}\", \"--listen\", \"127.0.0.1:{{port}}\", \"--name\", \"web\"]\n"
        "instances = {}\nstop_timeout = \"2s\"\n{}",
        backend, instances, extra);
    return start_baton(toml);
  }

  // The pids of ready instances, from the daemon's log.
  static std::set<pid_t> ready_pids(Baton& baton) {
    std::set<pid_t> pids;
    static const std::regex ready("event=instance_ready service=web instance=\\d+ pid=(\\d+)");
    auto text = baton.process().output(Stream::err);
    for (std::sregex_iterator it(text.begin(), text.end(), ready), end; it != end; ++it)
      pids.insert(static_cast<pid_t>(std::stoi((*it)[1])));
    return pids;
  }

  static bool wait_ready(Baton& baton, std::size_t count) {
    return eventually([&] { return ready_pids(baton).size() >= count; });
  }
};

TEST_F(Managed, RunsEveryInstanceAndRoutesToThem) {
  if (!backend_binary()) GTEST_SKIP() << "built without baton-test-backend";
  auto& baton = start_managed(3);
  ASSERT_TRUE(wait_ready(baton, 3));
  Client client(baton.port());
  for (int i = 0; i < 30; ++i) {
    auto response = client.get("/name");
    ASSERT_TRUE(response) << client.last_error();
    EXPECT_EQ(response->status, 200u);
    EXPECT_EQ(response->body, "web");
  }
  for (pid_t pid : ready_pids(baton)) EXPECT_EQ(::kill(pid, 0), 0) << pid;
}

TEST_F(Managed, KilledInstanceIsRestartedWhileOthersServe) {
  if (!backend_binary()) GTEST_SKIP() << "built without baton-test-backend";
  auto& baton = start_managed(2);
  ASSERT_TRUE(wait_ready(baton, 2));
  auto before = ready_pids(baton);
  ::kill(*before.begin(), SIGKILL);
  // Every request succeeds while the instance is down: GETs that met the dead
  // instance are retried on the live one.
  for (int i = 0; i < 50; ++i) {
    Client client(baton.port());
    auto response = client.get("/hello");
    ASSERT_TRUE(response) << client.last_error();
    EXPECT_EQ(response->status, 200u);
  }
  ASSERT_TRUE(wait_ready(baton, 3)) << "no new instance became ready";
  auto after = ready_pids(baton);
  EXPECT_EQ(after.size(), 3u);
}

// Runs `baton ARGS...` to completion; returns its exit code and standard output.
std::pair<int, std::string> run_cli(const TempDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), baton_binary());
  static int runs = 0;
  Process cli("cli-" + std::to_string(++runs), args, dir.path());
  auto code = cli.wait();
  return {code.value_or(-1), cli.output(Stream::out)};
}

// Restarting the daemon never restarts an app: SIGTERM drains and exits, the instances run on,
// and the next daemon adopts them. Stopping them is `baton shutdown --stop-apps`.
TEST_F(Managed, SigtermLeavesTheInstancesForTheNextDaemon) {
  if (!backend_binary()) GTEST_SKIP() << "built without baton-test-backend";
  auto& baton = start_managed(2);
  ASSERT_TRUE(wait_ready(baton, 2));
  auto pids = ready_pids(baton);
  baton.process().signal(SIGTERM);
  EXPECT_EQ(baton.process().wait(), 0);
  EXPECT_NE(baton.process().output(Stream::err).find("apps=left_running"), std::string::npos);
  for (pid_t pid : pids) EXPECT_EQ(::kill(pid, 0), 0) << "instance " << pid << " stopped with the daemon";

  auto& next = start_managed(2);
  ASSERT_TRUE(eventually([&] {
    return next.process().output(Stream::err).find("event=instance_adopted") != std::string::npos;
  }));
  auto [code, out] = run_cli(dir_, {"ls", "--json", "--home", (dir_.path() / "home").string()});
  ASSERT_EQ(code, 0);
  for (pid_t pid : pids) EXPECT_NE(out.find(fmt::format("\"pid\":{}", pid)), std::string::npos) << pid << " " << out;
  Client client(next.port());
  auto response = client.get("/name");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->body, "web");

  next.process().expect_exit();
  EXPECT_EQ(run_cli(dir_, {"shutdown", "--stop-apps", "--home", (dir_.path() / "home").string()}).first, 0);
  EXPECT_EQ(next.process().wait(), 0);
  for (pid_t pid : pids)
    EXPECT_TRUE(eventually([&] { return ::kill(pid, 0) != 0; })) << "instance " << pid << " still runs";
}

TEST_F(Managed, LsReportsEveryInstanceAsJson) {
  if (!backend_binary()) GTEST_SKIP() << "built without baton-test-backend";
  auto& baton = start_managed(2);
  ASSERT_TRUE(wait_ready(baton, 2));
  auto home = (dir_.path() / "home").string();
  auto [code, out] = run_cli(dir_, {"ls", "--json", "--home", home});
  EXPECT_EQ(code, 0);
  for (pid_t pid : ready_pids(baton)) EXPECT_NE(out.find("\"pid\":" + std::to_string(pid)), std::string::npos) << out;
  EXPECT_NE(out.find("\"state\":\"running\""), std::string::npos) << out;
  struct stat info {};
  ASSERT_EQ(::stat((dir_.path() / "home" / "baton.sock").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(Managed, LsWithoutADaemonExitsThree) {
  auto [code, out] = run_cli(dir_, {"ls", "--home", (dir_.path() / "nowhere").string()});
  EXPECT_EQ(code, 3);
}

TEST_F(Managed, LogsShowPrefixedInstanceOutput) {
  if (!backend_binary()) GTEST_SKIP() << "built without baton-test-backend";
  auto& baton = start_managed(2);
  ASSERT_TRUE(wait_ready(baton, 2));
  auto home = (dir_.path() / "home").string();
  std::string out;
  ASSERT_TRUE(eventually([&] {
    out = run_cli(dir_, {"logs", "web", "-n", "10", "--home", home}).second;
    return out.find("web#1@r1 out| listening") != std::string::npos;
  })) << out;
  EXPECT_NE(out.find("web#0@r1 out| listening"), std::string::npos) << out;
  EXPECT_EQ(run_cli(dir_, {"logs", "nosuch", "--home", home}).first, 2);
}

TEST_F(Managed, CliMisuseExitsTwo) {
  EXPECT_EQ(run_cli(dir_, {"logs", "--out", "--err"}).first, 2);
  EXPECT_EQ(run_cli(dir_, {"logs", "web", "-n", "x"}).first, 2);
  EXPECT_EQ(run_cli(dir_, {"nosuchcommand"}).first, 2);
  EXPECT_EQ(run_cli(dir_, {}).first, 2);
  EXPECT_EQ(run_cli(dir_, {"daemon", "--log-level", "loud"}).first, 2);
}

TEST_F(Managed, MissingBinaryIsReportedAtStart) {
  auto toml = std::string(
      "[services.web]\nlisten = \"127.0.0.1:0\"\ncommand = [\"/nonexistent/app\", \"{port}\"]\n");
  auto& baton = launch_baton(toml);
  auto code = baton.process().wait();
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 1);
  EXPECT_NE(baton.process().output(Stream::err).find("/nonexistent/app"), std::string::npos);
}
}  // namespace
}  // namespace baton::itest
