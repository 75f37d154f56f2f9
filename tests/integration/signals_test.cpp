// SIGHUP is a reload (the config file read again), so it must not stop the daemon, nor cut what it
// serves; a terminal closing sends one (daemon_signals_test.cpp has the rest of the table).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "harness.hpp"

namespace baton::itest {
namespace {
class Signals : public ProxyTest {};

TEST_F(Signals, SighupReloadsAndLeavesTheDaemonServing) {
  auto& backend = start_backend();
  auto& baton = start_baton(app_config({backend.address()}));
  Client kept(baton.port());
  auto first = kept.get("/hello");
  ASSERT_TRUE(first) << kept.last_error();
  ASSERT_TRUE(first->keep_alive);
  Client slow(baton.port());
  ASSERT_TRUE(slow.send(get_request("/slow?ms=500")));
  ASSERT_TRUE(eventually([&] { return backend.stats().requests == 2; }));

  baton.process().signal(SIGHUP);
  ASSERT_TRUE(baton.process().wait_for_output(Stream::err, [](std::string_view err) {
    return err.find("event=reloaded") != std::string_view::npos;
  })) << "the daemon did not reload on SIGHUP";

  auto in_flight = slow.read_response();
  ASSERT_TRUE(in_flight) << slow.last_error();
  EXPECT_EQ(in_flight->status, 200u);
  auto again = kept.get("/hello");
  ASSERT_TRUE(again) << kept.last_error();
  EXPECT_EQ(again->status, 200u);
  Client fresh(baton.port());
  auto response = fresh.get("/hello");
  ASSERT_TRUE(response) << fresh.last_error();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(baton.process().output(Stream::err).find("event=shutdown"), std::string::npos);

  baton.process().signal(SIGTERM);
  EXPECT_EQ(baton.process().wait(), 0);
}

// `baton daemon` in a terminal's session, as a shell starts it: the terminal closing sends
// SIGHUP to it, and later writes to the terminal fail with EIO.
class TerminalDaemon {
 public:
  TerminalDaemon(const std::string& config, const std::string& home) {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0) return;
    char name[128];
    if (::ptsname_r(master_, name, sizeof name) != 0) return;
    auto binary = baton_binary();
    const char* argv[] = {binary.c_str(), "daemon", "--config", config.c_str(), "--home", home.c_str(), nullptr};
    pid_ = ::fork();
    if (pid_ == 0) {
      // Only async-signal-safe calls: the test process has threads.
      ::setsid();
      int terminal = ::open(name, O_RDWR);  // the session's controlling terminal
      if (terminal < 0 || ::ioctl(terminal, TIOCSCTTY, 0) != 0) ::_exit(126);
      ::dup2(terminal, 0);
      ::dup2(terminal, 1);
      ::dup2(terminal, 2);
      ::execv(argv[0], const_cast<char* const*>(argv));
      ::_exit(127);
    }
    // A terminal nobody reads fills up and blocks the daemon's log writes.
    reader_ = std::thread([this] { drain(); });
  }

  ~TerminalDaemon() {
    close_terminal();
    if (pid_ > 0 && !exit_code_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  void close_terminal() {
    stop_reading_ = true;
    if (reader_.joinable()) reader_.join();
    if (master_ >= 0) ::close(master_);
    master_ = -1;
  }

  // 128 + N for death by signal N, as a shell reports it.
  std::optional<int> wait() {
    int status = 0;
    bool ended = eventually([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; });
    if (!ended) return std::nullopt;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return exit_code_;
  }

 private:
  void drain() {
    char buffer[4096];
    while (!stop_reading_) {
      pollfd ready{master_, POLLIN, 0};
      if (::poll(&ready, 1, 50) > 0 && ::read(master_, buffer, sizeof buffer) <= 0) return;
    }
  }

  int master_ = -1;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::atomic<bool> stop_reading_{false};
  std::thread reader_;
};

TEST_F(Signals, DaemonOutlivesTheTerminalItWasStartedFrom) {
  auto& backend = start_backend();
  AppConfig config;
  config.targets = {backend.address()};
  auto port = free_port();
  config.listen = "127.0.0.1:" + std::to_string(port);
  auto config_path = dir_.path() / "terminal.toml";
  std::ofstream(config_path) << config.text();
  TerminalDaemon daemon(config_path.string(), (dir_.path() / "terminal-home").string());
  ASSERT_TRUE(daemon.started());
  ASSERT_TRUE(eventually([&] { return Client(port).connected(); })) << "the daemon did not listen";

  daemon.close_terminal();  // the kernel sends SIGHUP to the session leader before close() returns

  Client client(port);
  auto response = client.get("/hello");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  ::kill(daemon.pid(), SIGTERM);
  EXPECT_EQ(daemon.wait(), 0) << "129 is death by SIGHUP";
}
}  // namespace
}  // namespace baton::itest
