#include "supervisor/instance_runner.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include "base/log.hpp"
#include "base/units.hpp"
#include "supervisor/log_sink.hpp"
#include "supervisor/output_fifo.hpp"
#include "supervisor/port_allocator.hpp"
#include "supervisor/proc_files.hpp"
#include "supervisor/readiness.hpp"
#include "supervisor/spawn.hpp"

namespace baton::supervisor {
using namespace asio::experimental::awaitable_operators;

namespace {
constexpr std::chrono::hours kNeverCheck{24};  // memory watch without a limit: just wait

Millis since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - start);
}

// The order of the races in supervise(): process exit, stop request, memory limit, watchdog.
constexpr std::array kOutcomeByIndex = {InstanceRunner::Outcome::exited, InstanceRunner::Outcome::stop,
                                        InstanceRunner::Outcome::memory, InstanceRunner::Outcome::watchdog};
// supervise()'s last race: becoming ready, or (once ready) STOPPING=1.
constexpr std::size_t kReadinessRace = kOutcomeByIndex.size();

InstanceRunner::Outcome outcome_of(std::size_t race_index) { return kOutcomeByIndex.at(race_index); }
}  // namespace

InstanceRunner::InstanceRunner(asio::any_io_executor executor, std::shared_ptr<const ServiceSpec> spec,
                               unsigned index, std::shared_ptr<LogFile> log, EventCallback on_event)
    : executor_(executor),
      spec_(std::move(spec)),
      index_(index),
      label_(instance_label(*spec_, index)),
      log_(std::move(log)),
      on_event_(std::move(on_event)),
      backoff_(spec_->backoff),
      restart_budget_(spec_->restart),
      stop_(executor),
      finished_(executor),
      output_closed_(executor),
      ready_signal_(executor),
      stopping_signal_(executor),
      watchdog_kick_(executor) {
  output_closed_.set();
}

std::expected<void, std::string> InstanceRunner::start() {
  auto launched = launch();
  if (!launched) {
    close_notify_socket(true);
    finished_.set();
    return launched;
  }
  run_in_background();
  return {};
}

std::expected<void, std::string> InstanceRunner::adopt(const AdoptedInstance& record) {
  auto pidfd = supervisor::adopt(record.identity);
  if (!pidfd) return std::unexpected(pidfd.error());
  port_ = record.port;
  identity_ = record.identity;
  process_ = std::make_unique<RunningProcess>(executor_, record.identity.pid, std::move(*pidfd),
                                              RunningProcess::Relation::adopted);
  if (spec_->cgroup_root)
    cgroup_ = InstanceCgroup::existing(*spec_->cgroup_root, fmt::format("{}.{}", spec_->key(), index_));
  started_at_ = Clock::now();
  state_ = InstanceState::starting;
  reset_notify_state();
  // Its READY=1, or its min_uptime, went to the previous daemon.
  if (spec_->notify) ready_signal_.set();
  assume_ready_ = spec_->worker;
  if (spec_->notify)
    if (auto opened = ensure_notify_socket(); !opened)
      log::warn("event=notify_socket_failed instance={} error=\"{}\"", label_, opened.error());
  log::info("event=instance_adopted instance={} pid={} port={}", label_, record.identity.pid, port_);
  reattach_output();
  run_in_background();
  return {};
}

std::filesystem::path InstanceRunner::fifo_prefix() const {
  if (spec_->output_dir.empty() || !log_) return {};
  return spec_->output_dir / fmt::format("{}.{}", spec_->key(), index_);
}

// The FIFOs the previous daemon created for this process hold what it wrote since that daemon died.
void InstanceRunner::reattach_output() {
  auto prefix = fifo_prefix();
  if (prefix.empty()) return;
  auto out = reopen_output_fifo(prefix.string() + ".out");
  auto err = reopen_output_fifo(prefix.string() + ".err");
  if (!out || !err) {
    log::warn("event=output_not_reattached instance={} error=\"{}\"", label_, !out ? out.error() : err.error());
    return;
  }
  start_pumps(std::move(*out), std::move(*err));
}

void InstanceRunner::remove_fifos() {
  auto prefix = fifo_prefix();
  if (prefix.empty()) return;
  std::error_code ignored;
  std::filesystem::remove(prefix.string() + ".out", ignored);
  std::filesystem::remove(prefix.string() + ".err", ignored);
}

// Named like the output FIFOs: one per instance slot, kept across its restarts.
std::expected<void, std::string> InstanceRunner::enter_cgroup() {
  if (!spec_->cgroup_root) return {};
  auto name = fmt::format("{}.{}", spec_->key(), index_);
  auto cgroup = InstanceCgroup::create(*spec_->cgroup_root, name, spec_->limits);
  if (!cgroup) return std::unexpected(cgroup.error());
  cgroup_ = std::move(*cgroup);
  return {};
}

// Once the instance's processes are gone.
void InstanceRunner::leave_cgroup() {
  if (cgroup_.oom_killed())
    log::warn("event=instance_oom_killed instance={} cgroup={} memory_max={}", label_, cgroup_.dir().string(),
              spec_->limits.memory_max.value_or(0));
  cgroup_.remove();
}

void InstanceRunner::request_stop() { stop_.set(); }

void InstanceRunner::abandon() {
  abandoned_ = true;
  close_notify_socket(false);  // the path stays: the next daemon binds it again
  stop_.set();
}

awaitable<void> InstanceRunner::finished() { co_await finished_.wait(); }

void InstanceRunner::run_in_background() {
  asio::co_spawn(executor_, run(), [self = shared_from_this()](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log::error("event=instance_runner_failed instance={} error=\"{}\"", self->label_, ex.what());
    }
    self->finished_.set();
  });
}

std::expected<void, std::string> InstanceRunner::ensure_port() {
  if (spec_->worker) return {};
  if (spec_->socket_activation && !listen_socket_) {
    auto socket = open_activation_socket();
    if (!socket) return std::unexpected(socket.error());
    listen_socket_.reset(socket->fd);
    port_ = socket->address.port;
  } else if (!spec_->socket_activation && port_ == 0) {
    auto port = pick_free_port();
    if (!port) return std::unexpected(port.error());
    port_ = *port;
  }
  return {};
}

std::expected<void, std::string> InstanceRunner::launch() {
  if (auto port = ensure_port(); !port) return port;
  if (auto notify = ensure_notify_socket(); !notify) return notify;
  if (auto cgroup = enter_cgroup(); !cgroup) return cgroup;
  auto env = instance_environment(*spec_, index_, port_);
  add_notify_environment(env);
  SpawnSpec spawn_spec{spec_->command, spec_->cwd, std::move(env),
                       spec_->worker ? std::nullopt : std::optional<std::uint16_t>(port_),
                       listen_socket_ ? listen_socket_.get() : -1, log_ != nullptr, spec_->command_is_line,
                       fifo_prefix(), spec_->user, spec_->group, cgroup_.procs_fd()};
  auto spawned = spawn(spawn_spec);
  cgroup_.close_procs();
  if (!spawned) {
    cgroup_.remove();
    return std::unexpected(spawned.error());
  }
  pid_t pid = spawned->identity.pid;
  identity_ = spawned->identity;
  process_ = std::make_unique<RunningProcess>(executor_, pid, std::move(spawned->pidfd),
                                              RunningProcess::Relation::child);
  start_pumps(std::move(spawned->stdout_pipe), std::move(spawned->stderr_pipe));
  started_at_ = Clock::now();
  state_ = InstanceState::starting;
  last_error_.clear();
  reset_notify_state();
  assume_ready_ = false;
  log::info("event=instance_started instance={} pid={} port={}", label_, pid, port_);
  if (on_event_)
    on_event_(InstanceEvent{InstanceEvent::Kind::started, spec_->name, spec_->release, index_, port_, pid,
                            std::nullopt, identity_});
  return {};
}

void InstanceRunner::start_pumps(UniqueFd out, UniqueFd err) {
  if (!log_) return;
  std::pair<UniqueFd*, OutputStream> pipes[] = {{&out, OutputStream::out}, {&err, OutputStream::err}};
  for (auto& [fd, stream] : pipes) {
    asio::posix::stream_descriptor pipe(executor_, fd->release());
    ++open_pipes_;
    output_closed_.reset();
    asio::co_spawn(executor_, pump_output(std::move(pipe), log_, output_label(*spec_, index_), stream),
                   [self = shared_from_this()](std::exception_ptr) {
                     if (--self->open_pipes_ == 0) self->output_closed_.set();
                   });
  }
}

awaitable<void> InstanceRunner::run() {
  while (!stop_.is_set()) {
    if (process_) {
      auto outcome = co_await supervise();
      if (outcome == Outcome::stop) break;
      co_await after_exit(outcome);
    }
    if (state_ == InstanceState::exited || state_ == InstanceState::errored) {
      co_await stop_.wait();  // until a stop (a restart or deploy replaces this runner)
      break;
    }
    if (!co_await sleep_unless_stopped(restart_delay_)) break;
    relaunch();
  }
  if (!abandoned_) co_await shutdown();
  finished_.set();
}

awaitable<InstanceRunner::Outcome> InstanceRunner::supervise() {
  // With socket activation the daemon's socket already listens: connections wait in its backlog.
  if (!ready_ && listen_socket_ && !spec_->notify) mark_ready();
  pid_t pid = process_->pid();
  for (;;) {
    if (!ready_) {
      auto first =
          co_await (process_->wait() || stop_.wait() || watch_memory(pid) || watch_watchdog() || until_ready());
      if (first.index() != kReadinessRace) co_return outcome_of(first.index());
      mark_ready();
    }
    auto next = co_await (process_->wait() || stop_.wait() || watch_memory(pid) || watch_watchdog() ||
                          stopping_signal_.wait());
    if (next.index() != kReadinessRace) co_return outcome_of(next.index());
    // STOPPING=1: out of service until it exits (or says READY=1 again).
    log::info("event=instance_stopping instance={} pid={} reason=STOPPING=1", label_, pid);
    ready_signal_.reset();
    stopping_signal_.reset();
    mark_down(std::nullopt);
    state_ = InstanceState::stopping;
  }
}

awaitable<void> InstanceRunner::watch_memory(pid_t pid) {
  asio::steady_timer timer(executor_);
  for (;;) {
    if (spec_->max_memory) timer.expires_after(spec_->memory_check_interval);
    else timer.expires_after(kNeverCheck);
    co_await timer.async_wait(use_nothrow);
    if (co_await cancelled()) co_return;
    // The whole process group: an app's forked workers count with it. The group's id is the pid.
    auto used = spec_->max_memory ? read_group_memory_bytes(pid) : std::nullopt;
    if (used && *used > *spec_->max_memory) {
      log::warn("event=instance_over_memory instance={} pid={} memory={} max_memory={} scope=process_group", label_,
                pid, *used, *spec_->max_memory);
      co_return;
    }
  }
}

awaitable<void> InstanceRunner::after_exit(Outcome outcome) {
  bool was_ready = ready_;
  auto uptime = since(started_at_);
  bool planned = outcome == Outcome::memory || outcome == Outcome::watchdog;
  if (planned) {
    // Like a rolling replacement: new requests go elsewhere (or wait, with no other instance), then
    // the ones in flight finish, and only then the stop signal.
    mark_down(std::nullopt, true);
    if (outcome == Outcome::memory && was_ready && drainer_ && port_ != 0) {
      log::info("event=instance_draining instance={} reason=max_memory timeout={}", label_,
                format_duration(spec_->stop_timeout));
      co_await drainer_(port_, spec_->stop_timeout);
    }
  }
  ++exits_;
  mark_down(process_->exit_status());
  // After a crash too: workers the leader left behind would hold the port the next start needs.
  if (planned || process_group_alive(process_->pid())) {
    state_ = InstanceState::stopping;
    co_await process_->stop(spec_->stop_signal, spec_->stop_timeout);
  }
  last_exit_ = process_->exit_status();
  record_exit(outcome == Outcome::memory     ? ExitReason::max_memory
              : outcome == Outcome::watchdog ? ExitReason::watchdog
                                             : ExitReason::exit,
              uptime);
  process_.reset();
  leave_cgroup();
  // Never listening: perhaps another process took the port between its pick and the app's bind.
  if (!was_ready && !listen_socket_) port_ = 0;
  if (!planned) announce_ended();
  if (!may_restart(outcome, uptime)) co_return;
  restart_delay_ = backoff_.on_exit(uptime);
  // Over max_memory after a long run: a leak, restarted at once. Again and again soon after each
  // start: the limit is below what the app needs, and the backoff and crash loop say so.
  if (outcome == Outcome::memory && backoff_.short_runs() == 0) restart_delay_ = Millis(0);
  state_ = backoff_.crash_loop() ? InstanceState::crash_loop : InstanceState::backoff;
  log::warn("event=instance_exited instance={} status=\"{}\" uptime={} restart_in={}{}", label_,
            last_exit_.value_or(ExitStatus{}).text(), format_duration(uptime),
            format_duration(restart_delay_), backoff_.crash_loop() ? " crash_loop=true" : "");
}

// The restart policy, after an exit the instance chose itself; a stop Baton decided is always restarted.
bool InstanceRunner::may_restart(Outcome outcome, Millis uptime) {
  if (outcome == Outcome::memory || outcome == Outcome::watchdog) return true;
  auto exit = last_exit_.value_or(ExitStatus{});
  // A signal, or an adopted process whose status only its real parent saw: a failure.
  std::optional<int> code = exit.kind == ExitStatus::Kind::exited ? std::optional<int>(exit.value) : std::nullopt;
  if (!wants_restart(spec_->restart, code)) {
    state_ = InstanceState::exited;
    completed_ = code && (*code == 0 || std::ranges::find(spec_->restart.stop_exit_codes, *code) !=
                                            spec_->restart.stop_exit_codes.end());
    last_error_ = fmt::format("{}; not restarted (autorestart = \"{}\"{})", exit.text(),
                              to_string(spec_->restart.autorestart),
                              code && std::ranges::find(spec_->restart.stop_exit_codes, *code) !=
                                          spec_->restart.stop_exit_codes.end()
                                  ? fmt::format(", {} is in stop_exit_codes", *code)
                                  : "");
    log::info("event=instance_exited instance={} status=\"{}\" restart=no reason=\"{}\"", label_, exit.text(),
              last_error_);
    return false;
  }
  return within_restart_budget(uptime);
}

bool InstanceRunner::within_restart_budget(Millis uptime) {
  if (restart_budget_.take(Clock::now(), uptime < spec_->backoff.min_uptime)) return true;
  state_ = InstanceState::errored;
  const auto& policy = spec_->restart;
  auto counted = policy.restart_window
                     ? fmt::format("{} restarts within {}", *policy.max_restarts, format_duration(*policy.restart_window))
                     : fmt::format("{} restarts in a row after runs shorter than {}", *policy.max_restarts,
                                   format_duration(spec_->backoff.min_uptime));
  last_error_ = fmt::format("{} (max_restarts): not started again until 'baton restart' or a deploy", counted);
  log::error("event=instance_errored instance={} last_exit=\"{}\" reason=\"{}\"", label_,
             last_exit_.value_or(ExitStatus{}).text(), last_error_);
  return false;
}

awaitable<bool> InstanceRunner::sleep_unless_stopped(Millis delay) {
  if (delay > Millis(0) && !stop_.is_set()) {
    asio::steady_timer timer(executor_, delay);
    co_await (timer.async_wait(use_nothrow) || stop_.wait());
  }
  co_return !stop_.is_set();
}

void InstanceRunner::relaunch() {
  ++restarts_;
  auto launched = launch();
  if (launched) return;
  last_error_ = launched.error();
  announce_ended();
  if (!within_restart_budget(Millis(0))) {
    last_error_ = launched.error() + "; " + last_error_;
    return;
  }
  restart_delay_ = backoff_.on_exit(Millis(0));
  state_ = backoff_.crash_loop() ? InstanceState::crash_loop : InstanceState::backoff;
  log::warn("event=instance_start_failed instance={} error=\"{}\" restart_in={}", label_, last_error_,
            format_duration(restart_delay_));
}

awaitable<void> InstanceRunner::shutdown() {
  if (process_) {
    state_ = InstanceState::stopping;
    mark_down(std::nullopt);  // before the signal: traffic leaves first
    auto uptime = since(started_at_);
    last_exit_ = co_await process_->stop(spec_->stop_signal, spec_->stop_timeout);
    record_exit(ExitReason::stop, uptime);
    log::info("event=instance_stopped instance={} pid={} status=\"{}\"", label_, process_->pid(),
              last_exit_->text());
    process_.reset();
  }
  leave_cgroup();
  // The last lines the app wrote before it exited; bounded, as an escaped grandchild may hold the pipe.
  asio::steady_timer timer(executor_, defaults::kOutputDrainTimeout);
  co_await (output_closed_.wait() || timer.async_wait(use_nothrow));
  remove_fifos();
  close_notify_socket(true);
  listen_socket_.reset();
  state_ = InstanceState::stopped;
  announce_ended();
}

void InstanceRunner::mark_ready() {
  ready_ = true;
  state_ = InstanceState::running;
  log::info("event=instance_ready instance={} port={}", label_, port_);
  if (on_event_)
    on_event_(InstanceEvent{InstanceEvent::Kind::ready, spec_->name, spec_->release, index_, port_,
                            identity_ ? identity_->pid : 0, std::nullopt});
}

void InstanceRunner::announce_ended() {
  if (on_event_)
    on_event_(InstanceEvent{InstanceEvent::Kind::ended, spec_->name, spec_->release, index_, port_,
                            identity_ ? identity_->pid : 0, last_exit_});
}

void InstanceRunner::mark_down(std::optional<ExitStatus> exit, bool restarting) {
  if (!ready_) return;
  ready_ = false;
  if (on_event_)
    on_event_(InstanceEvent{InstanceEvent::Kind::down, spec_->name, spec_->release, index_, port_,
                            identity_ ? identity_->pid : 0, std::move(exit), std::nullopt, restarting});
}

void InstanceRunner::record_exit(ExitReason reason, Millis uptime) {
  auto now = std::chrono::duration_cast<Millis>(std::chrono::system_clock::now().time_since_epoch());
  exit_history_.add(ExitRecord{now.count(), last_exit_.value_or(ExitStatus{}).text(), uptime, reason});
}

InstanceStatus InstanceRunner::status() const {
  InstanceStatus s;
  s.service = spec_->name;
  s.release = spec_->release;
  s.index = index_;
  s.state = state_;
  s.ready = ready_;
  s.port = port_;
  s.restarts = restarts_;
  s.exits = exits_;
  s.last_exit = last_exit_;
  s.last_error = last_error_;
  s.completed = state_ == InstanceState::exited && completed_;
  s.recent_exits = exit_history_.list();
  if (notify_) s.notify_rejected = notify_->rejected();
  bool waiting = state_ == InstanceState::backoff || state_ == InstanceState::crash_loop;
  if (waiting) s.restart_delay = restart_delay_;
  if (process_ && !process_->exit_status()) {
    s.pid = process_->pid();
    s.uptime = since(started_at_);
    s.identity = identity_;
    if (auto usage = read_process_usage(s.pid)) {
      s.cpu_time = usage->cpu_time;
      s.rss_bytes = usage->rss_bytes;
    }
  }
  return s;
}
}  // namespace baton::supervisor
