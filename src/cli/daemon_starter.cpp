#include "cli/daemon_starter.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>

namespace baton::cli {
namespace {
constexpr auto kPatience = std::chrono::seconds(5);
constexpr auto kPoll = std::chrono::milliseconds(20);
bool allowed_ = false;

bool socket_answers(const std::filesystem::path& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

// In the child: a new session (no terminal, no signals from the shell), output to the log.
[[noreturn]] void become_daemon(const std::string& exe, const std::string& home, const std::string& log) {
  ::setsid();
  ::close_range(3, ~0u, 0);  // nothing of the CLI's (its failed socket) lives on in the daemon
  int null = ::open("/dev/null", O_RDONLY);
  int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (null >= 0) ::dup2(null, 0);
  if (out >= 0) {
    ::dup2(out, 1);
    ::dup2(out, 2);
  }
  // A second fork: the daemon is nobody's child, so no CLI has to reap it.
  if (::fork() != 0) ::_exit(0);
  // The daemon writes its log itself: it rotates it, and reopens it on SIGUSR1.
  const char* argv[] = {exe.c_str(), "daemon", "--home", home.c_str(), "--log-file", log.c_str(), nullptr};
  ::execv(exe.c_str(), const_cast<char* const*>(argv));
  ::_exit(127);
}

std::string last_line(const std::string& log) {
  std::ifstream in(log);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}
}  // namespace

void allow_daemon_start(bool allowed) {
  const char* off = std::getenv("BATON_NO_AUTOSTART");
  allowed_ = allowed && !(off && *off && std::string_view(off) != "0");
}

bool daemon_start_allowed() { return allowed_; }

std::expected<void, std::string> start_background_daemon(const std::string& home) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(home) / "logs", ec);
  ::chmod(home.c_str(), 0700);
  auto log = (std::filesystem::path(home) / "logs" / "daemon.log").string();
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (ec) return std::unexpected("cannot find the baton binary to start a daemon: " + ec.message());
  pid_t child = ::fork();
  if (child < 0) return std::unexpected(fmt::format("cannot start a daemon: {}", std::strerror(errno)));
  if (child == 0) become_daemon(exe, home, log);
  int status = 0;
  ::waitpid(child, &status, 0);
  auto deadline = std::chrono::steady_clock::now() + kPatience;
  auto socket = std::filesystem::path(home) / "baton.sock";
  while (std::chrono::steady_clock::now() < deadline) {
    if (socket_answers(socket)) {
      fmt::print(stderr, "baton: started a daemon in the background (log: {})\n", log);
      return {};
    }
    std::this_thread::sleep_for(kPoll);
  }
  return std::unexpected(fmt::format("a daemon was started but does not answer; its log {} says: {}", log,
                                     last_line(log)));
}
}  // namespace baton::cli
