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
struct UpstreamConnection {
  explicit UpstreamConnection(Socket s, std::uint64_t target) : socket(std::move(s)), target_id(target) {}
  Socket socket;
  // Response bytes belong to the connection they came on: an idle client then
  // holds no upstream buffer, and a pooled connection keeps its own (empty) one.
  beast::flat_buffer buffer;
  std::uint64_t target_id;
  std::chrono::steady_clock::time_point idle_since{};
  std::uint32_t uses = 0;
  // Set by the reactor while the connection sits in the pool: the upstream sent
  // bytes (stray, or an end of stream) that no request asked for.
  bool spoke_while_idle = false;
  char peeked = 0;
};

class UpstreamPool {
 public:
  UpstreamPool(std::size_t max_idle_per_target, std::chrono::milliseconds idle_timeout)
      : max_idle_(max_idle_per_target), idle_timeout_(idle_timeout) {}

  bool has_idle(std::uint64_t target_id) const {
    auto it = idle_.find(target_id);
    return it != idle_.end() && !it->second.empty();
  }
  // A live idle connection to the target, or nullptr.
  std::unique_ptr<UpstreamConnection> take(std::uint64_t target_id, std::chrono::steady_clock::time_point now);
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
  void evict_spoken(std::uint64_t target_id);

  std::size_t max_idle_;
  std::chrono::milliseconds idle_timeout_;
  std::unordered_map<std::uint64_t, std::vector<std::unique_ptr<UpstreamConnection>>> idle_;
};
}  // namespace baton::proxy
