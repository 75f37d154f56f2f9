#pragma once
// One live instance process, watched through its pidfd: a child we started (reaped here, with its
// exit status) or a process adopted after a daemon restart (not our child: its exit is seen on the
// pidfd, its status is unknown).
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>

#include "net/asio.hpp"
#include "base/unique_fd.hpp"

namespace baton::supervisor {
struct ExitStatus {
  enum class Kind { exited, signaled, unknown };  // unknown: an adopted process, not ours to reap
  Kind kind = Kind::unknown;
  int value = 0;  // the exit code or the signal number
  std::string text() const;  // "exited with 3", "killed by SIGKILL", "exited"
  bool operator==(const ExitStatus&) const = default;
};

class RunningProcess {
 public:
  enum class Relation { child, adopted };
  RunningProcess(asio::any_io_executor executor, pid_t pid, UniqueFd pidfd, Relation relation);
  RunningProcess(const RunningProcess&) = delete;
  RunningProcess& operator=(const RunningProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::optional<ExitStatus>& exit_status() const { return status_; }

  // Completes once the process has exited (and, for a child, has been reaped: no zombie stays).
  // Cancellable, and may be awaited again after a cancellation; one waiter at a time.
  awaitable<ExitStatus> wait();

  // Sends `signal` to the process group, and SIGKILL to the group when the leader or any other
  // member is still running after `timeout`: a worker the app forked must not keep its port.
  // Completes once the leader has exited. Do not await wait() at the same time.
  awaitable<ExitStatus> stop(int signal, std::chrono::milliseconds timeout);

  // The whole process group (its id is the pid: setsid() made the leader), and the leader through
  // its pidfd too, which still works should the app have moved itself to another group.
  void signal_group(int signal);

 private:
  std::optional<ExitStatus> poll_exit();
  awaitable<bool> wait_until(std::chrono::steady_clock::time_point deadline);
  awaitable<bool> group_gone_by(std::chrono::steady_clock::time_point deadline);

  pid_t pid_;
  Relation relation_;
  asio::posix::stream_descriptor pidfd_;
  std::optional<ExitStatus> status_;
};
}  // namespace baton::supervisor
