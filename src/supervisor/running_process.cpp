#include "supervisor/running_process.hpp"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <cerrno>
#include <fmt/format.h>

#include "supervisor/defaults.hpp"
#include "supervisor/proc_files.hpp"
#include "supervisor/readiness.hpp"

namespace baton::supervisor {
using namespace asio::experimental::awaitable_operators;
using Clock = std::chrono::steady_clock;

std::string ExitStatus::text() const {
  switch (kind) {
    case Kind::exited: return fmt::format("exited with {}", value);
    case Kind::signaled: {
      const char* name = ::sigabbrev_np(value);
      return name ? fmt::format("killed by SIG{}", name) : fmt::format("killed by signal {}", value);
    }
    case Kind::unknown: return "exited";
  }
  return "exited";
}

RunningProcess::RunningProcess(asio::any_io_executor executor, pid_t pid, UniqueFd pidfd,
                               Relation relation)
    : pid_(pid), relation_(relation), pidfd_(executor, pidfd.release()) {}

std::optional<ExitStatus> RunningProcess::poll_exit() {
  if (status_) return status_;
  if (relation_ == Relation::child) {
    siginfo_t info{};
    int rc;
    do rc = ::waitid(P_PIDFD, pidfd_.native_handle(), &info, WEXITED | WNOHANG);
    while (rc < 0 && errno == EINTR);
    if (rc < 0 || info.si_pid == 0) return std::nullopt;
    bool exited = info.si_code == CLD_EXITED;
    status_ = ExitStatus{exited ? ExitStatus::Kind::exited : ExitStatus::Kind::signaled, info.si_status};
  } else {
    pollfd entry{pidfd_.native_handle(), POLLIN, 0};
    if (::poll(&entry, 1, 0) <= 0) return std::nullopt;
    status_ = ExitStatus{};
  }
  return status_;
}

awaitable<ExitStatus> RunningProcess::wait() {
  for (;;) {
    if (auto status = poll_exit()) co_return *status;
    auto [ec] = co_await pidfd_.async_wait(asio::posix::descriptor_base::wait_read, use_nothrow);
    if (co_await cancelled()) co_return ExitStatus{};
    if (ec) {  // not expected from a pidfd; poll slowly rather than spin
      asio::steady_timer timer(co_await asio::this_coro::executor, defaults::kGroupPollInterval);
      co_await timer.async_wait(use_nothrow);
    }
  }
}

void RunningProcess::signal_group(int signal) {
  ::kill(-pid_, signal);
  // The leader is in the group (a session leader cannot leave it), so the group's signal reaches it.
  // The pidfd is for a leader whose group id reads otherwise (a process not started in a session of
  // its own); never both: a second copy of a signal it catches could run its handler twice.
  if (!status_ && ::getpgid(pid_) != pid_)
    ::syscall(SYS_pidfd_send_signal, pidfd_.native_handle(), signal, nullptr, 0);
}

awaitable<bool> RunningProcess::wait_until(Clock::time_point deadline) {
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  auto result = co_await (wait() || timer.async_wait(use_nothrow));
  co_return result.index() == 0;
}

awaitable<bool> RunningProcess::group_gone_by(Clock::time_point deadline) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (process_group_alive(pid_)) {
    if (Clock::now() >= deadline) co_return false;
    timer.expires_after(defaults::kGroupPollInterval);
    co_await timer.async_wait(use_nothrow);
  }
  co_return true;
}

awaitable<ExitStatus> RunningProcess::stop(int signal, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  signal_group(signal);
  bool leader_gone = status_ || co_await wait_until(deadline);
  bool group_gone = leader_gone && co_await group_gone_by(deadline);
  if (!group_gone) {
    signal_group(SIGKILL);
    co_await wait();
    // SIGKILL is delivered asynchronously: the stop is over once nothing of the group runs.
    co_await group_gone_by(Clock::now() + defaults::kKillWait);
  }
  co_return *status_;
}
}  // namespace baton::supervisor
