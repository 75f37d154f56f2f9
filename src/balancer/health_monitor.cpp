#include "balancer/health_monitor.hpp"

#include <algorithm>

#include "base/log.hpp"

namespace baton::health {
namespace {
using Clock = std::chrono::steady_clock;
// How often a passive failure counter is read while waiting: often enough that an instance the
// proxy cannot reach is probed within a fraction of a second, rarely enough to cost nothing.
constexpr Millis kPassiveSampleInterval{100};
}  // namespace

std::shared_ptr<HealthMonitor> HealthMonitor::start(asio::any_io_executor executor,
                                                    HealthCheck check, Address target,
                                                    OnChange on_change,
                                                    PassiveCounter passive_failures) {
  auto monitor = std::make_shared<HealthMonitor>(Private{}, executor, std::move(check), std::move(target),
                                                 std::move(on_change), std::move(passive_failures));
  // The completion handler owns the monitor until its coroutine ends.
  auto done = [monitor](std::exception_ptr error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      if (monitor->stopped_) return;
      log::error("event=health_monitor_failed target={} error=\"{}\"", monitor->target_.text(), e.what());
    }
  };
  asio::co_spawn(executor, monitor->run(),
                 asio::bind_cancellation_slot(monitor->cancel_.slot(), std::move(done)));
  return monitor;
}

HealthMonitor::HealthMonitor(Private, asio::any_io_executor executor, HealthCheck check,
                             Address target, OnChange on_change,
                             PassiveCounter passive_failures)
    : executor_(std::move(executor)),
      check_(std::move(check)),
      target_(std::move(target)),
      on_change_(std::move(on_change)),
      passive_failures_(std::move(passive_failures)),
      state_(check_) {
  // Failures from before the monitor started say nothing about this instance.
  if (passive_failures_) passive_seen_ = passive_failures_();
}

void HealthMonitor::stop() {
  if (stopped_) return;
  stopped_ = true;
  cancel_.emit(asio::cancellation_type::terminal);
}

// After a cancellation asio throws from the next co_await, so `stopped_` is checked after each.
awaitable<void> HealthMonitor::run() {
  for (;;) {
    auto result = co_await probe(check_, target_);
    if (stopped_) co_return;
    on_result(std::move(result));
    if (stopped_) co_return;  // the callback may have stopped the monitor
    co_await pause();
    if (stopped_) co_return;
  }
}

void HealthMonitor::on_result(ProbeResult result) {
  last_ = std::move(result);
  auto change = state_.record(last_.ok);
  if (change == HealthState::Change::none) return;
  if (on_change_) on_change_(change == HealthState::Change::became_healthy, last_);
}

// Waits until the next probe is due, or less when passive failures have grown.
awaitable<void> HealthMonitor::pause() {
  Millis gap = state_.ever_healthy() ? check_.interval : check_.startup_interval;
  auto deadline = Clock::now() + gap;
  asio::steady_timer timer(executor_);
  for (;;) {
    auto now = Clock::now();
    if (now >= deadline) co_return;
    auto sample_at = now + kPassiveSampleInterval;
    timer.expires_at(passive_failures_ ? std::min(deadline, sample_at) : deadline);
    co_await timer.async_wait(use_nothrow);
    if (stopped_ || passive_failures_grew()) co_return;
  }
}

bool HealthMonitor::passive_failures_grew() {
  if (!passive_failures_) return false;
  std::uint64_t now = passive_failures_();
  bool grew = now > passive_seen_;
  passive_seen_ = now;
  return grew;
}
}  // namespace baton::health
