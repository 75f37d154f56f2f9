#pragma once
// One instance slot of a service over its whole life: start the process, wait until it accepts
// connections, watch it, restart it with backoff when it exits, stop it on request. A coroutine
// shell: the decisions live in Backoff and RunningProcess. Everything runs on one executor.
#include <chrono>
#include <expected>
#include <filesystem>
#include <memory>
#include <string>

#include "net/asio.hpp"
#include "supervisor/backoff.hpp"
#include "supervisor/cgroup.hpp"
#include "supervisor/event.hpp"
#include "supervisor/instance.hpp"
#include "base/log_file.hpp"
#include "base/recent.hpp"
#include "supervisor/notify_socket.hpp"
#include "supervisor/running_process.hpp"
#include "base/unique_fd.hpp"

namespace baton::supervisor {
class InstanceRunner : public std::enable_shared_from_this<InstanceRunner> {
 public:
  InstanceRunner(asio::any_io_executor executor, std::shared_ptr<const ServiceSpec> spec, unsigned index,
                 std::shared_ptr<LogFile> log, EventCallback on_event);

  // Starts the first process at once, so a command that cannot run is the caller's error, then
  // supervises it in the background.
  std::expected<void, std::string> start();
  // Takes over a process a previous daemon started; fails when the record no longer names it.
  std::expected<void, std::string> adopt(const AdoptedInstance& record);

  // Before a restart for max_memory (instance.hpp).
  void set_drainer(Drainer drainer) { drainer_ = std::move(drainer); }
  // Stop signal, stop timeout, then SIGKILL for the group; no restart. finished() tells when done.
  void request_stop();
  // Stops supervising and leaves the process running, for the next daemon to adopt.
  void abandon();
  awaitable<void> finished();

  InstanceStatus status() const;
  unsigned index() const { return index_; }

  // Why supervising a running process ended.
  enum class Outcome { exited, stop, memory, watchdog };

 private:
  using Clock = std::chrono::steady_clock;

  std::expected<void, std::string> launch();
  std::expected<void, std::string> ensure_port();
  void start_pumps(UniqueFd out, UniqueFd err);
  std::filesystem::path fifo_prefix() const;
  std::expected<void, std::string> enter_cgroup();
  void leave_cgroup();
  void reattach_output();
  void remove_fifos();
  void run_in_background();
  awaitable<void> run();
  awaitable<Outcome> supervise();
  awaitable<void> watch_memory(pid_t pid);
  // Readiness (a connect, min_uptime, READY=1) and the notification protocol: instance_readiness.cpp.
  awaitable<void> until_ready();
  awaitable<void> watch_watchdog();
  std::expected<void, std::string> ensure_notify_socket();
  void add_notify_environment(EnvList& env) const;
  void on_notify(const NotifyMessage& message);
  void reset_notify_state();
  void close_notify_socket(bool remove);
  awaitable<void> after_exit(Outcome outcome);
  bool may_restart(Outcome outcome, Millis uptime);
  bool within_restart_budget(Millis uptime);
  awaitable<bool> sleep_unless_stopped(Millis delay);
  awaitable<void> shutdown();
  void relaunch();
  void mark_ready();
  void announce_ended();
  void mark_down(std::optional<ExitStatus> exit, bool restarting = false);
  void record_exit(ExitReason reason, Millis uptime);

  asio::any_io_executor executor_;
  std::shared_ptr<const ServiceSpec> spec_;
  unsigned index_;
  std::string label_;
  std::shared_ptr<LogFile> log_;
  EventCallback on_event_;

  UniqueFd listen_socket_;  // socket activation: the same socket for every restart
  InstanceCgroup cgroup_;   // empty unless the spec has a cgroup root
  std::uint16_t port_ = 0;
  std::unique_ptr<RunningProcess> process_;
  std::optional<ProcessIdentity> identity_;
  Clock::time_point started_at_{};
  InstanceState state_ = InstanceState::stopped;
  bool ready_ = false;
  unsigned restarts_ = 0;
  unsigned exits_ = 0;
  Millis restart_delay_{0};
  std::optional<ExitStatus> last_exit_;
  Recent<ExitRecord, kExitHistory> exit_history_;
  std::string last_error_;
  bool completed_ = false;  // exited cleanly and not restarted by its policy
  Backoff backoff_;
  RestartBudget restart_budget_;
  Drainer drainer_;

  Event stop_;
  Event finished_;
  Event output_closed_;
  unsigned open_pipes_ = 0;
  bool abandoned_ = false;

  std::shared_ptr<NotifySocket> notify_;  // with spec.notify: the same socket for every restart
  Event ready_signal_;     // READY=1 since the process started
  Event stopping_signal_;  // STOPPING=1 since it was last ready
  Event watchdog_kick_;    // a WATCHDOG=1 or WATCHDOG=trigger came
  Clock::time_point last_ping_{};
  bool watchdog_triggered_ = false;
  bool assume_ready_ = false;  // adopted worker: it became ready under the previous daemon
};
}  // namespace baton::supervisor
