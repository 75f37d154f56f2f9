// `baton upgrade --binary PATH`: asks the keeper to replace the daemon with another
// binary on the same sockets. The daemon drains and leaves its apps running; the
// new one adopts them. A binary that is not a Baton is refused here; one that
// fails to start or to serve is abandoned by the keeper for the one before.
#include "app/upgrade_command.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <thread>

namespace baton {
namespace {
namespace fs = std::filesystem;
constexpr std::chrono::seconds kPatience{90};  // the keeper gives a new daemon 60 s to serve

// The keeper's pid while one holds the home's keeper lock, else 0.
pid_t running_keeper(const fs::path& home) {
  int fd = ::open((home / "keeper.lock").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  bool free = ::flock(fd, LOCK_SH | LOCK_NB) == 0;
  char text[32] = {};
  auto n = ::pread(fd, text, sizeof text - 1, 0);
  ::close(fd);
  return free || n <= 0 ? 0 : static_cast<pid_t>(std::atol(text));
}

// What `BINARY version` prints, "" when it does not run.
std::string version_of(const std::string& binary) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return "";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipe_fds[1], 1);
    const char* argv[] = {binary.c_str(), "version", nullptr};
    ::execv(binary.c_str(), const_cast<char* const*>(argv));
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  std::string out;
  char buffer[256];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0 && out.size() < 4096;)
    out.append(buffer, static_cast<std::size_t>(n));
  ::close(pipe_fds[0]);
  int status = 0;
  if (pid > 0) ::waitpid(pid, &status, 0);
  return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? out : "";
}
}  // namespace

int run_upgrade(const std::string& home_text, const std::string& binary_text) {
  fs::path home(home_text);
  pid_t keeper = running_keeper(home);
  if (keeper <= 0) {
    fmt::print(stderr, "baton: no keeper runs with the home {}: upgrades need the daemon run by 'baton keeper'\n",
               home.string());
    return 1;
  }
  std::error_code ec;
  auto binary = fs::canonical(binary_text, ec);
  if (ec || ::access(binary.c_str(), X_OK) != 0) {
    fmt::print(stderr, "baton: no executable at {}\n", binary_text);
    return 1;
  }
  auto version = version_of(binary.string());
  if (!version.starts_with("baton ")) {
    fmt::print(stderr, "baton: {} is not a Baton binary ('{} version' printed no Baton version)\n", binary.string(),
               binary.string());
    return 1;
  }
  fs::remove(home / "upgrade.result", ec);
  std::ofstream(home / "upgrade.binary") << binary.string() << "\n";
  if (::kill(keeper, SIGUSR2) != 0) {
    fmt::print(stderr, "baton: cannot signal the keeper (pid {})\n", keeper);
    return 1;
  }
  auto deadline = std::chrono::steady_clock::now() + kPatience;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(home / "upgrade.result");
    std::string result;
    if (std::getline(in, result) && !result.empty()) {
      if (result.starts_with("ok")) {
        fmt::print("upgraded to {}: {} serves (daemon pid{})\n", binary.string(), version.substr(0, version.find('\n')),
                   result.substr(2));
        return 0;
      }
      fmt::print(stderr, "baton: upgrade to {} {}; the daemon before keeps serving\n", binary.string(), result);
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  fmt::print(stderr, "baton: the keeper did not report the upgrade within {} s\n", kPatience.count());
  return 1;
}
}  // namespace baton
