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
  std::atomic<std::uint64_t> cut{0};  // exchanges closed by the proxy at the drain deadline
};

struct Target {
  std::uint64_t id = 0;  // unique for the daemon's life: pools key on it across route tables
  Address address;
  std::string address_text;
  TargetCounters counters;
  // Set after a connect failure: the target is tried last until then.
  std::atomic<std::int64_t> cooldown_until_ns{0};
  // Set by the control plane once the target left the route table (steady_clock
  // ns, 0 = none): exchanges still open on it past this are cut by the workers.
  std::atomic<std::int64_t> drain_deadline_ns{0};

  bool cooling_down(std::chrono::steady_clock::time_point now) const {
    return now.time_since_epoch().count() < cooldown_until_ns.load(std::memory_order_relaxed);
  }
  bool drain_expired(std::chrono::steady_clock::time_point now) const {
    auto deadline = drain_deadline_ns.load(std::memory_order_relaxed);
    return deadline != 0 && now.time_since_epoch().count() >= deadline;
  }
};
}  // namespace baton
