#include "keeper/keeper_reexec.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fmt/format.h>

namespace baton {
namespace {
// `--version` of a healthy binary answers at once; this only bounds a hung one.
constexpr std::chrono::seconds kVersionPatience{5};

// What the child wrote to `fd` until it closed it or the deadline passed.
std::string read_until(int fd, std::chrono::steady_clock::time_point deadline, bool& timed_out) {
  std::string out;
  char buffer[256];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd watched{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&watched, 1, static_cast<int>(left.count())) == 0) {
      timed_out = true;
      return out;
    }
    auto n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || out.size() > 4096) return out;
    out.append(buffer, static_cast<std::size_t>(n));
  }
}
}  // namespace

std::expected<std::string, std::string> check_keeper_binary(const std::string& path) {
  if (path.empty() || path[0] != '/' || ::access(path.c_str(), X_OK) != 0)
    return std::unexpected(fmt::format("no executable at '{}'", path));
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return std::unexpected(fmt::format("pipe: {}", std::strerror(errno)));
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipe_fds[1], 1);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    const char* argv[] = {path.c_str(), "--version", nullptr};
    ::execv(path.c_str(), const_cast<char* const*>(argv));
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  bool timed_out = false;
  auto out = pid > 0 ? read_until(pipe_fds[0], std::chrono::steady_clock::now() + kVersionPatience, timed_out) : "";
  ::close(pipe_fds[0]);
  if (pid < 0) return std::unexpected(fmt::format("fork: {}", std::strerror(errno)));
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (timed_out) return std::unexpected(fmt::format("'{} --version' did not answer within {} s", path, kVersionPatience.count()));
  auto line = out.substr(0, out.find('\n'));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !line.starts_with("baton-keeper "))
    return std::unexpected(fmt::format("{} is not a baton-keeper ('{} --version' printed no baton-keeper version)", path, path));
  return line;
}

std::vector<int> descriptors_of(const KeeperState& state) {
  std::vector<int> fds{state.lock_fd};
  if (state.link_fd >= 0) fds.push_back(state.link_fd);
  for (const auto& held : state.held) fds.push_back(held.fd);
  for (const auto& passed : state.passed) fds.push_back(passed.fd);
  return fds;
}

std::string reexec_keeper(const std::string& path, const KeeperOptions& options, const KeeperState& state) {
  std::vector<std::string> args{path, "--home", options.home, "--daemon-binary", options.daemon_binary};
  if (!options.config_path.empty()) args.insert(args.end(), {"--config", options.config_path});
  if (!options.log_level.empty()) args.insert(args.end(), {"--log-level", options.log_level});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  auto fds = descriptors_of(state);
  for (int fd : fds) ::fcntl(fd, F_SETFD, 0);
  ::setenv(kKeeperResumeVariable, encode_keeper_state(state).c_str(), 1);
  ::execv(path.c_str(), argv.data());  // the blocked signals and the pending ones cross it too
  int error = errno;
  ::unsetenv(kKeeperResumeVariable);
  for (int fd : fds) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  return fmt::format("cannot run {}: {}", path, std::strerror(error));
}
}  // namespace baton
