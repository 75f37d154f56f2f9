// systemd without systemd as PID 1: the unit `baton startup` writes, and the
// daemon's READY/STOPPING/WATCHDOG notifications on a NOTIFY_SOCKET of the test's own.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>

#include "harness.hpp"

namespace baton::itest {
namespace {
namespace fs = std::filesystem;

// A datagram socket playing systemd's notification socket.
class NotifySocket {
 public:
  explicit NotifySocket(const fs::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    timeval patience{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
  }
  ~NotifySocket() { ::close(fd_); }
  // Messages until one contains `wanted` (all of them), or "" on a timeout.
  std::string until(std::string_view wanted) {
    std::string seen;
    for (;;) {
      char buffer[4096];
      auto n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return "";
      std::string message(buffer, static_cast<std::size_t>(n));
      seen += message + "\n";
      if (message.find(wanted) != std::string::npos) return seen;
    }
  }

 private:
  fs::path path_;
  int fd_ = -1;
};

class Systemd : public IntegrationTest {};

TEST_F(Systemd, StartupPrintsAUnitThatRunsTheKeeper) {
  Process startup("startup", {baton_binary(), "startup", "--print", "--config", "/etc/baton/baton.toml", "--home",
                              "/var/lib/baton"},
                  dir_.path());
  ASSERT_EQ(startup.wait().value_or(-1), 0) << startup.output(Stream::err);
  auto unit = startup.output(Stream::out);
  auto binary = fs::canonical(baton_binary()).string();
  for (std::string line : {"Type=notify", "NotifyAccess=all", "KillMode=process", "Restart=always",
                           "LimitNOFILE=1048576", "WantedBy=multi-user.target"})
    EXPECT_NE(unit.find(line + "\n"), std::string::npos) << line << " missing:\n" << unit;
  EXPECT_NE(unit.find("ExecStart=" + binary + " keeper --home /var/lib/baton --config /etc/baton/baton.toml\n"),
            std::string::npos)
      << unit;
}

TEST_F(Systemd, StartupWritesTheUnitWhereItIsTold) {
  auto path = dir_.path() / "baton.service";
  Process startup("startup", {baton_binary(), "startup", "--home", (dir_.path() / "home").string(), "--unit",
                              path.string()},
                  dir_.path());
  ASSERT_EQ(startup.wait().value_or(-1), 0) << startup.output(Stream::err);
  auto text = read_text(path);
  EXPECT_NE(text.find("Type=notify"), std::string::npos) << text;
  EXPECT_EQ(text.find("--config"), std::string::npos) << "no config given: the one last applied runs";
  Process refused("startup-refused", {baton_binary(), "startup", "--unit", "/nonexistent/dir/baton.service"},
                  dir_.path());
  EXPECT_EQ(refused.wait().value_or(-1), 1);
  EXPECT_NE(refused.output(Stream::err).find("cannot write"), std::string::npos) << refused.output(Stream::err);
}

TEST_F(Systemd, TheDaemonSaysReadyPingsTheWatchdogReloadsOnApplyAndSaysStopping) {
  auto socket_path = dir_.path() / "notify.sock";
  NotifySocket notify(socket_path);
  auto config = dir_.path() / "systemd.toml";
  std::ofstream(config) << "[proxy]\nthreads = 1\n[services.web]\nlisten = \"127.0.0.1:0\"\ntargets = [\"127.0.0.1:9\"]\n";
  Process daemon("notified",
                 {"/usr/bin/env", "NOTIFY_SOCKET=" + socket_path.string(), "WATCHDOG_USEC=200000", baton_binary(),
                  "daemon", "--config", config.string(), "--home", (dir_.path() / "home").string()},
                 dir_.path());
  auto ready = notify.until("READY=1");
  ASSERT_NE(ready, "") << daemon.output(Stream::err);
  EXPECT_NE(ready.find("STATUS=serving"), std::string::npos) << ready;
  EXPECT_NE(notify.until("WATCHDOG=1"), "");
  EXPECT_NE(notify.until("WATCHDOG=1"), "") << "pinged again";
  Process apply("apply", {baton_binary(), "apply", config.string(), "--home", (dir_.path() / "home").string()},
                dir_.path());
  auto reloading = notify.until("RELOADING=1");
  EXPECT_NE(reloading, "") << apply.output(Stream::err);
  EXPECT_NE(reloading.find("MONOTONIC_USEC="), std::string::npos) << reloading;
  EXPECT_NE(notify.until("READY=1"), "") << "ready again once applied";
  EXPECT_EQ(apply.wait().value_or(-1), 0) << apply.output(Stream::err);
  daemon.signal(SIGTERM);
  EXPECT_NE(notify.until("STOPPING=1"), "");
  EXPECT_EQ(daemon.wait().value_or(-1), 0);
}
}  // namespace
}  // namespace baton::itest
