#pragma once
// Probes one instance for as long as it runs and reports each crossing of a threshold. A thin
// coroutine shell over probe() and HealthState.
#include <cstdint>
#include <functional>
#include <memory>

#include "balancer/health_check.hpp"
#include "balancer/health_probe.hpp"
#include "balancer/health_state.hpp"
#include "net/asio.hpp"

namespace baton::health {
// Single-threaded: start(), stop(), healthy() and last() belong on the executor's thread.
class HealthMonitor : public std::enable_shared_from_this<HealthMonitor> {
 public:
  using OnChange = std::function<void(bool healthy, const ProbeResult& last)>;
  using PassiveCounter = std::function<std::uint64_t()>;

  // Probes every check.startup_interval until the first healthy result, then every
  // check.interval. `on_change` runs on the executor for every transition. `passive_failures`,
  // when given, is a counter (say, the proxy's connect failures to this instance) sampled while
  // waiting: when it has grown, the next probe runs at once.
  // The monitor runs until stop(), whether or not the caller keeps the pointer.
  static std::shared_ptr<HealthMonitor> start(asio::any_io_executor executor, HealthCheck check,
                                              Address target, OnChange on_change,
                                              PassiveCounter passive_failures = {});
  // An instance on 127.0.0.1:port.
  static std::shared_ptr<HealthMonitor> start(asio::any_io_executor executor, HealthCheck check,
                                              std::uint16_t port, OnChange on_change,
                                              PassiveCounter passive_failures = {}) {
    return start(std::move(executor), std::move(check), Address{Address::Kind::tcp, "127.0.0.1", port, {}},
                 std::move(on_change), std::move(passive_failures));
  }

  // No callback runs after stop() returns; idempotent.
  void stop();
  bool healthy() const { return state_.healthy(); }
  const ProbeResult& last() const { return last_; }

  struct Private {};  // keeps construction to start()
  HealthMonitor(Private, asio::any_io_executor executor, HealthCheck check, Address target,
                OnChange on_change, PassiveCounter passive_failures);

 private:
  awaitable<void> run();
  awaitable<void> pause();
  void on_result(ProbeResult result);
  bool passive_failures_grew();

  asio::any_io_executor executor_;
  HealthCheck check_;
  Address target_;
  OnChange on_change_;
  PassiveCounter passive_failures_;
  std::uint64_t passive_seen_ = 0;
  HealthState state_;
  ProbeResult last_;
  asio::cancellation_signal cancel_;
  bool stopped_ = false;
};
}  // namespace baton::health
