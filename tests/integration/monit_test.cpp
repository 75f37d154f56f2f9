// `baton monit` in a real terminal (tmux): the header, the service and its instance rows appear,
// a resize redraws it, `q` and Ctrl-C end it, and an absent daemon is said to be so.
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>

#include "deploy_fixture.hpp"

namespace baton::itest {
namespace {
class Monit : public Deploys {
 protected:
  void SetUp() override {
    Deploys::SetUp();
    if (IsSkipped()) return;
    if (std::system("command -v tmux >/dev/null 2>&1") != 0)
      GTEST_SKIP() << "tmux is not installed (scripts/setup.sh installs it)";
    tmux_socket_ = fmt::format("baton-monit-test-{}", ::getpid());
  }
  void TearDown() override {
    if (!tmux_socket_.empty()) tmux({"kill-server"});
    Deploys::TearDown();
  }

  std::string tmux(std::vector<std::string> args) {
    args.insert(args.begin(), {"/usr/bin/env", "tmux", "-f", "/dev/null", "-L", tmux_socket_});
    Process process("tmux-" + std::to_string(++tmux_runs_), args, dir_.path());
    process.wait();
    return process.output(Stream::out);
  }

  // Starts `baton monit` in a 160x40 terminal; the pid of the pane's process.
  pid_t start_monit(const std::string& session) {
    tmux({"new-session", "-d", "-s", session, "-x", "160", "-y", "40",
          fmt::format("exec {} monit --home {}", baton_binary(), home_)});
    return std::atoi(tmux({"display-message", "-p", "-t", session, "#{pane_pid}"}).c_str());
  }

  static bool ended(pid_t pid) { return pid > 0 && ::kill(pid, 0) != 0; }

  std::string tmux_socket_;
  int tmux_runs_ = 0;
};

// The instance rows on the screen (" running "), and whether each shows a CPU rate yet.
std::pair<std::size_t, bool> monit_rows_of(const std::string& screen) {
  std::size_t rows = 0;
  bool rates = true;
  for (std::size_t at = 0; at < screen.size();) {
    auto end = std::min(screen.find('\n', at), screen.size());
    auto line = screen.substr(at, end - at);
    if (line.find(" running ") != std::string::npos) {
      ++rows;
      rates = rates && line.find('%') != std::string::npos;
    }
    at = end + 1;
  }
  return {rows, rates};
}

TEST_F(Monit, ShowsEveryInstanceInATerminalAndQuitsOnQOrCtrlC) {
  start_service(2, "rolling");
  auto pid = start_monit("first");
  ASSERT_GT(pid, 0);
  std::string screen;
  ASSERT_TRUE(eventually([&] {
    screen = tmux({"capture-pane", "-p", "-t", "first"});
    // Two instance rows (running) and the CPU rate, which needs a second answer.
    auto [rows, rates] = monit_rows_of(screen);
    return screen.find("REQ/S") != std::string::npos && rows == 2 && rates;
  })) << screen;
  EXPECT_NE(screen.find("baton monit"), std::string::npos) << screen;
  EXPECT_NE(screen.find("DEPLOY IN PROGRESS"), std::string::npos) << screen;
  EXPECT_NE(screen.find("web "), std::string::npos) << screen;
  EXPECT_NE(screen.find("healthy"), std::string::npos) << screen;
  EXPECT_NE(screen.find("r1 ("), std::string::npos) << screen;
  // A smaller terminal: redrawn to fit it.
  tmux({"resize-window", "-t", "first", "-x", "60", "-y", "12"});
  ASSERT_TRUE(eventually([&] {
    screen = tmux({"capture-pane", "-p", "-t", "first"});
    return screen.find("baton monit") != std::string::npos && screen.find("REQ/S") == std::string::npos;
  })) << screen;
  tmux({"send-keys", "-t", "first", "q"});
  EXPECT_TRUE(eventually([&] { return ended(pid); })) << "monit still runs after q";

  auto second = start_monit("second");
  ASSERT_GT(second, 0);
  ASSERT_TRUE(eventually([&] { return tmux({"capture-pane", "-p", "-t", "second"}).find("REQ/S") != std::string::npos; }));
  tmux({"send-keys", "-t", "second", "C-c"});
  EXPECT_TRUE(eventually([&] { return ended(second); })) << "monit still runs after Ctrl-C";
}

TEST_F(Monit, SaysWhenTheDaemonIsUnreachable) {
  home_ = (dir_.path() / "no-daemon").string();  // monit never starts one
  std::filesystem::create_directories(home_);
  auto pid = start_monit("gone");
  ASSERT_GT(pid, 0);
  std::string screen;
  EXPECT_TRUE(eventually([&] {
    screen = tmux({"capture-pane", "-p", "-t", "gone"});
    return screen.find("DAEMON UNREACHABLE") != std::string::npos;
  })) << screen;
  tmux({"send-keys", "-t", "gone", "q"});
  EXPECT_TRUE(eventually([&] { return ended(pid); }));
}
}  // namespace
}  // namespace baton::itest
