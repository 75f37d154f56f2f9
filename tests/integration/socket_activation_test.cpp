// systemd socket activation: a daemon or keeper started with LISTEN_PID/LISTEN_FDS serves on the
// sockets it was given instead of binding, including connections queued before it started.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <fstream>

#include "harness.hpp"

namespace baton::itest {
namespace {
namespace fs = std::filesystem;

// A listening TCP socket on 127.0.0.1, inheritable (no close-on-exec), as systemd makes them:
// closed by the test once the process it is passed to has started.
struct PassedListener {
  int fd = -1;
  std::uint16_t port = 0;
  PassedListener() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(fd, 64) != 0) return;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    port = ntohs(address.sin_port);
  }
  ~PassedListener() { close(); }
  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port); }
};

// argv run by bash with `fds` moved to 3, 4, ... and LISTEN_PID set to its own pid, which the
// exec keeps: what systemd does between fork and exec.
std::vector<std::string> with_passed_fds(const std::vector<int>& fds, const std::string& listen_fds,
                                         const std::vector<std::string>& argv) {
  std::string script;
  for (std::size_t i = 0; i < fds.size(); ++i) script += fmt::format("exec {}<&{}; ", 3 + i, fds[i]);
  for (int fd : fds)
    if (fd >= 3 + static_cast<int>(fds.size())) script += fmt::format("exec {}<&-; ", fd);
  script += "export LISTEN_PID=$$ LISTEN_FDS=" + listen_fds + " LISTEN_FDNAMES=web:other; exec \"$@\"";
  std::vector<std::string> out{"/bin/bash", "-c", script, "bash"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

class SocketActivation : public ProxyTest {
 protected:
  // Before any PassedListener exists: a process started later would inherit its socket.
  void SetUp() override {
    ProxyTest::SetUp();
    if (!IsSkipped()) start_backend();
  }

  void TearDown() override {
    for (auto& process : started_)
      if (!process->wait(std::chrono::milliseconds(0))) {
        process->signal(SIGTERM);
        process->wait();
      }
    ProxyTest::TearDown();
  }

  // `web` on `listen` in front of a test backend (routable at once), and a managed app that
  // writes its environment to app.env.
  std::string activation_config(const std::string& listen) {
    auto config = dir_.path() / "activation.toml";
    std::ofstream(config) << fmt::format(
        "[proxy]\nthreads = 1\n[services.web]\nlisten = \"{}\"\ntargets = [\"{}\"]\n"
        "[services.envapp]\nlisten = \"127.0.0.1:0\"\n"
        "command = \"env > {} && exec {} --listen 127.0.0.1:{{port}} --name v0\"\n",
        listen, backends_.front()->address(), env_file().string(), *backend_binary());
    return config.string();
  }

  fs::path env_file() const { return dir_.path() / "app.env"; }

  // The managed app's environment, once it has written it.
  std::string app_environment() {
    EXPECT_TRUE(eventually([&] { return read_text(env_file()).find("PORT=") != std::string::npos; }));
    return read_text(env_file());
  }

  Process& start(const std::string& name, std::vector<std::string> argv) {
    return *started_.emplace_back(std::make_unique<Process>(name, std::move(argv), dir_.path()));
  }

  std::string home() const { return (dir_.path() / "home").string(); }

  std::vector<std::unique_ptr<Process>> started_;
};

bool serves_on(std::uint16_t port) {
  Client client(port);
  auto response = client.get("/hello");
  return response && response->status == 200;
}

TEST_F(SocketActivation, TheDaemonServesOnThePassedSocketAndAnswersWhatQueuedBeforeItStarted) {
  PassedListener passed;
  ASSERT_GT(passed.port, 0);
  Client early(passed.port);
  ASSERT_TRUE(early.connected());
  ASSERT_TRUE(early.send("GET /hello HTTP/1.1\r\nHost: early\r\nConnection: close\r\n\r\n"));
  auto& daemon = start("activated-daemon",
                       with_passed_fds({passed.fd}, "1",
                                       {baton_binary(), "daemon", "--config", activation_config(passed.address()),
                                        "--home", home()}));
  passed.close();  // the daemon's copy is the only one now
  auto response = early.read_response();
  ASSERT_TRUE(response) << early.last_error() << daemon.output(Stream::err);
  EXPECT_EQ(response->status, 200u);
  EXPECT_TRUE(serves_on(passed.port));
  // Read from the daemon's stderr as it comes: the line may trail the answer.
  EXPECT_TRUE(daemon.wait_for_output(Stream::err, [&](std::string_view text) {
    return text.find("event=listening address=" + passed.address()) != std::string_view::npos;
  })) << daemon.output(Stream::err);
  auto env = app_environment();
  EXPECT_EQ(env.find("LISTEN_"), std::string::npos) << "the app inherits no LISTEN_ variable:\n" << env;
}

TEST_F(SocketActivation, APassedSocketNoAddressWantsIsLoggedAndClosed) {
  PassedListener wanted, unwanted;
  auto& daemon = start("activated-extra",
                       with_passed_fds({wanted.fd, unwanted.fd}, "2",
                                       {baton_binary(), "daemon", "--config", activation_config(wanted.address()),
                                        "--home", home()}));
  wanted.close();
  unwanted.close();
  ASSERT_TRUE(daemon.wait_for_output(Stream::err, [](std::string_view text) {
    return text.find("event=passed_socket_unused") != std::string_view::npos;
  })) << daemon.output(Stream::err);
  auto err = daemon.output(Stream::err);
  EXPECT_NE(err.find("event=passed_socket_unused fd=4 name=other listens_on=" + unwanted.address() + " action=closed"),
            std::string::npos)
      << err;
  EXPECT_TRUE(serves_on(wanted.port));
  Client refused(unwanted.port);
  EXPECT_FALSE(refused.connected()) << "nothing listens there any more";
}

TEST_F(SocketActivation, MalformedListenFdsIsAClearErrorAndBindsNothing) {
  PassedListener passed;
  for (auto [count, message] : std::vector<std::pair<std::string, std::string>>{
           {"many", "LISTEN_FDS='many' is not a count of passed descriptors"},
           {"-1", "LISTEN_FDS='-1' is not a count"},
           {"40", "LISTEN_FDS=40 but descriptor"}}) {
    for (std::string command : {"daemon", "keeper"}) {
      auto& process = start("malformed-" + command,
                            with_passed_fds({passed.fd}, count,
                                            {baton_binary(), command, "--config", activation_config(passed.address()),
                                             "--home", home()}));
      EXPECT_EQ(process.wait().value_or(-1), 2) << command << " " << count;
      EXPECT_NE(process.output(Stream::err).find(message), std::string::npos) << process.output(Stream::err);
      EXPECT_FALSE(fs::exists(fs::path(home()) / "keeper.lock")) << "the keeper took nothing";
    }
  }
}

TEST_F(SocketActivation, TheKeeperTakesThePassedSocketAndHandsItToEveryDaemon) {
  PassedListener passed;
  Client early(passed.port);
  ASSERT_TRUE(early.send("GET /hello HTTP/1.1\r\nHost: early\r\nConnection: close\r\n\r\n"));
  auto& keeper = start("activated-keeper",
                       with_passed_fds({passed.fd}, "1",
                                       {baton_binary(), "keeper", "--config", activation_config(passed.address()),
                                        "--home", home()}));
  passed.close();
  auto response = early.read_response();
  ASSERT_TRUE(response) << early.last_error() << keeper.output(Stream::err);
  EXPECT_EQ(response->status, 200u);
  auto err = keeper.output(Stream::err);
  EXPECT_NE(err.find("event=listener_held address=" + passed.address() + " from=passed"), std::string::npos) << err;
  // A second daemon gets the same socket from the keeper.
  constexpr std::string_view kStarted = "[keeper] event=daemon_started pid=";
  auto daemon = std::stoi(err.substr(err.rfind(kStarted) + kStarted.size(), 10));
  ::kill(daemon, SIGKILL);
  ASSERT_TRUE(eventually([&] {
    auto text = keeper.output(Stream::err);
    return text.find(kStarted) != text.rfind(kStarted);
  }));
  EXPECT_TRUE(eventually([&] { return serves_on(passed.port); })) << keeper.output(Stream::err);
  EXPECT_EQ(app_environment().find("LISTEN_"), std::string::npos);
}

// A control socket systemd made (ListenStream=HOME/baton.sock) is systemd's: the daemon, or the
// keeper holding it for its daemons, serves on it and leaves its file behind, for systemd still
// listens there to start the next one.
TEST_F(SocketActivation, ThePassedControlSocketsFileOutlivesTheDaemonAndTheKeeper) {
  auto path = fs::path(home()) / "baton.sock";
  fs::create_directories(home());
  fs::permissions(home(), fs::perms::owner_all);
  for (std::string command : {"daemon", "keeper"}) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    ::unlink(path.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0) << std::strerror(errno);
    ASSERT_EQ(::listen(fd, 16), 0);
    auto& process = start("activated-control-" + command,
                          with_passed_fds({fd}, "1",
                                          {baton_binary(), command, "--config",
                                           activation_config("127.0.0.1:" + std::to_string(free_port())), "--home",
                                           home()}));
    ::close(fd);
    ASSERT_TRUE(process.wait_for_output(Stream::err, [](std::string_view text) {
      return text.find("event=listening") != std::string_view::npos;
    })) << process.output(Stream::err);
    auto status = ask_unix_socket(path, "GET /v1/status HTTP/1.1\r\nHost: baton\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(status.starts_with("HTTP/1.1 200")) << status << process.output(Stream::err);
    process.signal(SIGTERM);
    EXPECT_EQ(process.wait().value_or(-1), 0) << process.output(Stream::err);
    EXPECT_TRUE(fs::is_socket(path)) << "the " << command << " removed a socket file it did not create";
  }
}

TEST_F(SocketActivation, SystemdSocketActivateStartsTheDaemonOnItsSocket) {
  if (::access("/usr/bin/systemd-socket-activate", X_OK) != 0) GTEST_SKIP() << "no systemd-socket-activate";
  auto port = free_port();
  auto address = "127.0.0.1:" + std::to_string(port);
  auto& activator = start("systemd-socket-activate",
                          {"/usr/bin/systemd-socket-activate", "-l", address, baton_binary(), "daemon", "--config",
                           activation_config(address), "--home", home()});
  ASSERT_TRUE(activator.wait_for_output(Stream::err, [](std::string_view text) {
    return text.find("Listening on") != std::string_view::npos;
  })) << activator.output(Stream::err);
  // The first connection starts the daemon, which answers it on the socket it was given.
  EXPECT_TRUE(serves_on(port)) << activator.output(Stream::err);
  EXPECT_TRUE(serves_on(port));
  EXPECT_NE(activator.output(Stream::err).find("event=listening address=" + address), std::string::npos)
      << activator.output(Stream::err);
}
}  // namespace
}  // namespace baton::itest
