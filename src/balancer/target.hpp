#pragma once
// One upstream address and the live counters the data plane writes for it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "net/address.hpp"

namespace baton {
struct TargetCounters {
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> connect_failures{0};
  std::atomic<std::uint64_t> upstream_errors{0};  // resets, timeouts, malformed responses
};

struct Target {
  std::uint64_t id = 0;  // unique for the daemon's life: pools key on it across route tables
  Address address;
  std::string address_text;
  TargetCounters counters;
  // Set after a connect failure: the target is tried last until then.
  std::atomic<std::int64_t> cooldown_until_ns{0};

  bool cooling_down(std::chrono::steady_clock::time_point now) const {
    return now.time_since_epoch().count() < cooldown_until_ns.load(std::memory_order_relaxed);
  }
};
}  // namespace baton
