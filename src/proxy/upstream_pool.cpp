#include "proxy/upstream_pool.hpp"

#include <algorithm>

#include "net/stream_receive.hpp"

namespace baton::proxy {
std::unique_ptr<UpstreamConnection> UpstreamPool::take(std::uint64_t target_id,
                                                       std::chrono::steady_clock::time_point now) {
  auto it = idle_.find(target_id);
  if (it == idle_.end()) return nullptr;
  auto& list = it->second;
  // Most recently used first: it is the least likely to have been closed by the upstream.
  while (!list.empty()) {
    auto conn = std::move(list.back());
    list.pop_back();
    // A connection the upstream closed, or one with stray bytes that would be
    // read as the next client's response, is never handed out.
    if (conn->spoke_while_idle || now - conn->idle_since >= idle_timeout_) continue;
    error_code ignored;
    conn->socket.cancel(ignored);  // ends the idle watch
    return conn;
  }
  return nullptr;
}

void UpstreamPool::give_back(std::unique_ptr<UpstreamConnection> conn, std::chrono::steady_clock::time_point now) {
  auto& list = idle_[conn->target_id];
  if (list.size() >= max_idle_) return;  // closes it
  conn->idle_since = now;
  conn->uses++;
  // Watched in the reactor rather than peeked at on reuse: after the head read
  // that drained the socket, the watch waits for its next event without a system
  // call, and one that sees data, a close or a reset evicts the connection.
  conn->spoke_while_idle = false;
  net::watch_idle(conn->socket, conn->peeked, conn->spoke_while_idle,
                  [this, target = conn->target_id](error_code ec, std::size_t) {
                    if (ec != asio::error::operation_aborted) evict_spoken(target);
                  });
  list.push_back(std::move(conn));
}

void UpstreamPool::evict_spoken(std::uint64_t target_id) {
  auto it = idle_.find(target_id);
  if (it != idle_.end()) std::erase_if(it->second, [](const auto& c) { return c->spoke_while_idle; });
}

void UpstreamPool::sweep(std::chrono::steady_clock::time_point now) {
  for (auto& [id, list] : idle_)
    std::erase_if(list, [&](const auto& c) { return now - c->idle_since >= idle_timeout_; });
}

void UpstreamPool::clear() { idle_.clear(); }

std::size_t UpstreamPool::idle_count() const {
  std::size_t n = 0;
  for (const auto& [id, list] : idle_) n += list.size();
  return n;
}
}  // namespace baton::proxy
