#pragma once
// The global cap on open client connections. Past it a new connection is closed
// at once (shed), so a flood of idle or slow clients costs a few syscalls each
// instead of the file descriptors the daemon needs for upstreams, the control
// socket, logs and its instances' pipes. Shared by every proxy thread.
#include <atomic>
#include <cstdint>

namespace baton::proxy {
// With no `max_connections`: descriptors kept back from RLIMIT_NOFILE for everything but clients
// (at least this many, or an eighth of the limit), then half of the rest, since every client may
// hold an upstream connection too.
inline constexpr std::uint64_t kReservedFds = 256;
std::uint64_t default_connection_cap(std::uint64_t nofile_limit);
// From the process's RLIMIT_NOFILE soft limit.
std::uint64_t default_connection_cap();

class ConnectionCap {
 public:
  void set_limit(std::uint64_t limit) { limit_ = limit; }
  std::uint64_t limit() const { return limit_; }
  // Takes a slot for a new connection, or says it must be shed.
  bool try_take() {
    if (open_.fetch_add(1, std::memory_order_relaxed) < limit_) return true;
    open_.fetch_sub(1, std::memory_order_relaxed);
    shed_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  void release() { open_.fetch_sub(1, std::memory_order_relaxed); }
  std::uint64_t open() const { return open_.load(std::memory_order_relaxed); }
  std::uint64_t shed() const { return shed_.load(std::memory_order_relaxed); }

 private:
  std::uint64_t limit_ = 0;
  std::atomic<std::uint64_t> open_{0};
  std::atomic<std::uint64_t> shed_{0};
};

// Gives a connection's slot back however its session ends.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(ConnectionCap& cap) : cap_(&cap) {}
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ~ConnectionSlot() { cap_->release(); }

 private:
  ConnectionCap* cap_;
};
}  // namespace baton::proxy
