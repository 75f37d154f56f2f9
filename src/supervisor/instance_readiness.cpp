// InstanceRunner's readiness and the systemd notification protocol: when an instance may be called
// ready (its port accepts, it ran min_uptime, it sent READY=1), and the watchdog that restarts
// one that stops pinging.
#include <unistd.h>

#include <atomic>
#include <fmt/format.h>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include "base/log.hpp"
#include "base/units.hpp"
#include "supervisor/instance_runner.hpp"
#include "supervisor/readiness.hpp"

namespace baton::supervisor {
using namespace asio::experimental::awaitable_operators;

namespace {
constexpr std::chrono::hours kWatchdogOff{24};  // no watchdog: just wait

// Without a run directory (a supervisor with no home), a name in the abstract namespace.
std::string abstract_notify_name(const std::string& key, unsigned index) {
  static std::atomic<unsigned> sequence{0};
  return fmt::format("@baton-notify/{}/{}/{}.{}", ::getpid(), sequence++, key, index);
}
}  // namespace

awaitable<void> InstanceRunner::until_ready() {
  if (spec_->notify) {
    co_await ready_signal_.wait();
    if (co_await cancelled()) co_return;
  }
  if (!spec_->worker) {
    co_await wait_until_accepting(port_, spec_->ready_poll_interval);
  } else if (!spec_->notify && !assume_ready_) {
    asio::steady_timer timer(executor_, started_at_ + spec_->min_uptime);
    co_await timer.async_wait(use_nothrow);
  }
}

// Completes when the watchdog fires: no WATCHDOG=1 within spec.watchdog of the last one (or of
// the start), or a WATCHDOG=trigger. Without a watchdog it only waits to be cancelled.
awaitable<void> InstanceRunner::watch_watchdog() {
  asio::steady_timer timer(executor_);
  for (;;) {
    watchdog_kick_.reset();
    pid_t pid = process_ ? process_->pid() : 0;
    if (watchdog_triggered_) {
      log::warn("event=instance_watchdog instance={} pid={} reason=\"WATCHDOG=trigger\"", label_, pid);
      co_return;
    }
    bool armed = spec_->notify && spec_->watchdog > Millis(0);
    auto deadline = armed ? last_ping_ + spec_->watchdog : Clock::now() + kWatchdogOff;
    if (armed && Clock::now() >= deadline) {
      log::warn("event=instance_watchdog instance={} pid={} reason=\"no WATCHDOG=1 within {}\"", label_, pid,
                format_duration(spec_->watchdog));
      co_return;
    }
    timer.expires_at(deadline);
    co_await (timer.async_wait(use_nothrow) || watchdog_kick_.wait());
    if (co_await cancelled()) co_return;
  }
}

std::expected<void, std::string> InstanceRunner::ensure_notify_socket() {
  if (!spec_->notify || notify_) return {};
  auto path = spec_->output_dir.empty()
                  ? abstract_notify_name(spec_->key(), index_)
                  : (spec_->output_dir / fmt::format("{}.{}.notify", spec_->key(), index_)).string();
  // The run directory is the daemon's user's alone: an instance running as another user could not
  // reach a socket in it, so it gets one of the same name in the abstract namespace (which has no
  // permissions), found again by the daemon that adopts it.
  if (!spec_->output_dir.empty() && (!spec_->user.empty() || !spec_->group.empty())) path = "@" + path;
  auto opened = NotifySocket::open(executor_, std::move(path));
  if (!opened) return std::unexpected(opened.error());
  notify_ = std::move(*opened);
  std::weak_ptr<InstanceRunner> weak = weak_from_this();
  notify_->start(
      [weak](const NotifyMessage& message) {
        if (auto self = weak.lock()) self->on_notify(message);
      },
      label_);
  return {};
}

void InstanceRunner::add_notify_environment(EnvList& env) const {
  if (!notify_) return;
  env.emplace_back("NOTIFY_SOCKET", notify_->path());
  if (spec_->watchdog > Millis(0))
    env.emplace_back("WATCHDOG_USEC", std::to_string(std::chrono::microseconds(spec_->watchdog).count()));
}

void InstanceRunner::on_notify(const NotifyMessage& message) {
  if (message.status)
    log::debug("event=instance_status instance={} status=\"{}\"", label_, *message.status);
  if (message.watchdog_ping) last_ping_ = Clock::now();
  if (message.watchdog_trigger) watchdog_triggered_ = true;
  if (message.watchdog_ping || message.watchdog_trigger) watchdog_kick_.set();
  if (message.ready && !ready_signal_.is_set()) {
    log::info("event=instance_notified instance={} message=READY=1", label_);
    ready_signal_.set();
  }
  if (message.stopping && ready_) stopping_signal_.set();
}

// A new process (started or adopted) has said nothing yet, and its watchdog starts now.
void InstanceRunner::reset_notify_state() {
  ready_signal_.reset();
  stopping_signal_.reset();
  watchdog_kick_.reset();
  watchdog_triggered_ = false;
  last_ping_ = Clock::now();
}

void InstanceRunner::close_notify_socket(bool remove) {
  if (!notify_) return;
  notify_->close(remove);
  notify_.reset();
}
}  // namespace baton::supervisor
