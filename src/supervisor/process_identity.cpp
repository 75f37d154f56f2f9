#include "supervisor/process_identity.hpp"

#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <optional>
#include <thread>

#include "supervisor/proc_files.hpp"

namespace baton::supervisor {
namespace {
constexpr const char* kBootIdPath = "/proc/sys/kernel/random/boot_id";
constexpr int kEnvironReads = 20;
constexpr std::chrono::milliseconds kEnvironRetryDelay{5};

std::expected<std::string, std::string> read_boot_id() {
  std::ifstream file(kBootIdPath);
  std::string id;
  if (!(file >> id) || id.empty()) return std::unexpected(fmt::format("cannot read {}", kBootIdPath));
  return id;
}
// /proc/PID/environ reads empty while the process is inside execve() (a shell exec'ing the app):
// that is a moment to wait out, not a stranger.
std::optional<std::string> read_settled_environ(pid_t pid) {
  for (int attempt = 1;; ++attempt) {
    auto environ = read_proc_file(pid, "environ");
    if (!environ || !environ->empty() || attempt == kEnvironReads) return environ;
    std::this_thread::sleep_for(kEnvironRetryDelay);
  }
}
}  // namespace

std::string new_token() {
  unsigned char bytes[16];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    auto n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n > 0) got += static_cast<std::size_t>(n);
  }
  std::string token;
  for (unsigned char b : bytes) token += fmt::format("{:02x}", b);
  return token;
}

std::expected<std::string, std::string> current_boot_id() {
  static const auto boot_id = read_boot_id();
  return boot_id;
}

std::expected<ProcessIdentity, std::string> identify(pid_t pid, std::string token) {
  auto boot_id = current_boot_id();
  if (!boot_id) return std::unexpected(boot_id.error());
  auto stat = read_proc_stat(pid);
  if (!stat) return std::unexpected(fmt::format("cannot read /proc/{}/stat", pid));
  return ProcessIdentity{pid, stat->start_time, *boot_id, std::move(token)};
}

std::expected<void, std::string> verify(const ProcessIdentity& recorded) {
  auto boot_id = current_boot_id();
  if (!boot_id) return std::unexpected(boot_id.error());
  if (*boot_id != recorded.boot_id) return std::unexpected("the machine has rebooted since");
  auto stat = read_proc_stat(recorded.pid);
  if (!stat || stat->state == 'Z') return std::unexpected(fmt::format("pid {} has exited", recorded.pid));
  if (stat->start_time != recorded.start_time)
    return std::unexpected(fmt::format("pid {} now belongs to another process", recorded.pid));
  // Start times have clock-tick resolution: the token tells apart two processes started within one tick.
  auto environ = read_settled_environ(recorded.pid);
  if (!environ) return std::unexpected(fmt::format("cannot read /proc/{}/environ", recorded.pid));
  if (!environ_contains(*environ, kTokenVariable, recorded.token))
    return std::unexpected(fmt::format("pid {} does not carry the instance's token", recorded.pid));
  return {};
}

std::expected<UniqueFd, std::string> open_pidfd(pid_t pid) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return std::unexpected(fmt::format("pidfd_open({}): {}", pid, std::strerror(errno)));
  return UniqueFd(fd);
}

std::expected<UniqueFd, std::string> adopt(const ProcessIdentity& recorded) {
  auto pidfd = open_pidfd(recorded.pid);
  if (!pidfd) return std::unexpected(pidfd.error());
  if (auto same = verify(recorded); !same) return std::unexpected(same.error());
  return pidfd;
}
}  // namespace baton::supervisor
