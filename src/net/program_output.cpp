#include "net/program_output.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <optional>

namespace baton {
namespace {
constexpr std::size_t kMaxAnswer = 4096;

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
    if (n <= 0 || out.size() >= kMaxAnswer) return out;
    out.append(buffer, static_cast<std::size_t>(n));
  }
}

[[noreturn]] void exec_child(const std::string& path, const ProgramQuestion& question, int out_fd) {
  ::dup2(out_fd, 1);
  for (int fd : question.inherited_fds) ::fcntl(fd, F_SETFD, 0);
  for (const auto& [name, value] : question.env) ::setenv(name.c_str(), value.c_str(), 1);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  std::vector<char*> argv{const_cast<char*>(path.c_str())};
  for (const auto& arg : question.args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  ::execv(path.c_str(), argv.data());
  ::_exit(127);
}

// Its exit status, if it ends by the deadline (a child that closed its stdout may still hang).
std::optional<int> wait_until(pid_t pid, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    int status = 0;
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0 && errno != EINTR) return std::nullopt;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    ::usleep(10'000);
  }
}

std::string how_it_ended(int status) {
  return WIFEXITED(status) ? fmt::format("exited with {}", WEXITSTATUS(status))
                           : fmt::format("was killed by signal {}", WTERMSIG(status));
}
}  // namespace

std::expected<std::string, std::string> ask_program(const std::string& path, const ProgramQuestion& question) {
  if (path.empty() || path[0] != '/' || ::access(path.c_str(), X_OK) != 0)
    return std::unexpected(fmt::format("no executable at '{}'", path));
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return std::unexpected(fmt::format("pipe: {}", std::strerror(errno)));
  pid_t pid = ::fork();
  if (pid == 0) exec_child(path, question, pipe_fds[1]);
  ::close(pipe_fds[1]);
  bool timed_out = false;
  auto deadline = std::chrono::steady_clock::now() + question.patience;
  auto out = pid > 0 ? read_until(pipe_fds[0], deadline, timed_out) : "";
  ::close(pipe_fds[0]);
  if (pid < 0) return std::unexpected(fmt::format("fork: {}", std::strerror(errno)));
  auto status = timed_out ? std::nullopt : wait_until(pid, deadline);
  if (!status) {
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    return std::unexpected(fmt::format("it did not answer within {} ms", question.patience.count()));
  }
  if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) return std::unexpected("it " + how_it_ended(*status));
  return out;
}
}  // namespace baton
