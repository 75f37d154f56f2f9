#pragma once
// Idle keep-alive connections to upstream targets, one pool per proxy thread
// (no locks: a connection never changes threads).
#include <chrono>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include <boost/beast/core/flat_buffer.hpp>

#include "proxy/socket_util.hpp"

namespace baton::proxy {
// What a pooled connection's watch found while it sat idle. Shared with the watch's handler,
// which may run after the connection is gone.
struct IdleWatch {
  bool stale = false;  // the upstream sent bytes or closed the connection
  char peeked = 0;     // where the watch's MSG_PEEK puts a byte
};

struct UpstreamConnection {
  explicit UpstreamConnection(Socket s, std::uint64_t target) : socket(std::move(s)), target_id(target) {}
  Socket socket;
  // Response bytes belong to the connection they came on: an idle client then
  // holds no upstream buffer, and a pooled connection keeps its own (empty) one.
  beast::flat_buffer buffer;
  std::uint64_t target_id;
  std::chrono::steady_clock::time_point idle_since{};
  std::uint32_t uses = 0;
  std::shared_ptr<IdleWatch> watch = std::make_shared<IdleWatch>();
};

class UpstreamPool {
 public:
  UpstreamPool(std::size_t max_idle_per_target, std::chrono::milliseconds idle_timeout)
      : max_idle_(max_idle_per_target), idle_timeout_(idle_timeout) {}

  // A live idle connection to the target, or nullptr. Each idle connection is watched by a
  // MSG_PEEK receive parked in the reactor: bytes or a close that come while it is idle wake
  // it and mark the connection stale, at no cost while nothing comes. One case escapes it: a
  // close that arrived together with the last response bytes. A request that can be re-sent
  // (idempotent, no body) then fails before any response byte and is retried on a fresh
  // connection; one that cannot asks for `confirm`, one more MSG_PEEK before the lease.
  std::unique_ptr<UpstreamConnection> take(std::uint64_t target_id, std::chrono::steady_clock::time_point now,
                                           bool confirm);
  void give_back(std::unique_ptr<UpstreamConnection> conn, std::chrono::steady_clock::time_point now);
  // Closes connections idle past the timeout.
  void sweep(std::chrono::steady_clock::time_point now);
  // Closes the idle connections of every target `keep(target_id)` rejects.
  template <typename Keep>
  void retain(Keep&& keep) {
    std::erase_if(idle_, [&](const auto& entry) { return !keep(entry.first); });
  }
  void clear();
  std::size_t idle_count() const;

 private:
  std::size_t max_idle_;
  std::chrono::milliseconds idle_timeout_;
  std::unordered_map<std::uint64_t, std::vector<std::unique_ptr<UpstreamConnection>>> idle_;
};
}  // namespace baton::proxy
