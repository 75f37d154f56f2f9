#pragma once
// Counters written by one thread and read by any: the writer adds with a plain
// load and store (no locked instruction, no cache line shared with another
// writer), readers load relaxed at scrape time. Each proxy thread owns its own.
#include <atomic>
#include <cstdint>

namespace baton::metrics {
class LocalCounter {
 public:
  void add(std::uint64_t n = 1) { value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  std::uint64_t read() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// Up and down, by the same one thread (an open WebSocket is closed by the thread that opened it).
class LocalGauge {
 public:
  void add(std::int64_t n) { value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  std::int64_t read() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};
}  // namespace baton::metrics
