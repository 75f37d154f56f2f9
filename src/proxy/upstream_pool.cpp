#include "proxy/upstream_pool.hpp"

#include <algorithm>

namespace baton::proxy {
std::unique_ptr<UpstreamConnection> UpstreamPool::take(std::uint64_t target_id,
                                                       std::chrono::steady_clock::time_point now, bool confirm) {
  auto it = idle_.find(target_id);
  if (it == idle_.end()) return nullptr;
  auto& list = it->second;
  // Most recently used first: it is the least likely to have been closed by the upstream.
  while (!list.empty()) {
    auto conn = std::move(list.back());
    list.pop_back();
    if (now - conn->idle_since >= idle_timeout_ || conn->watch->stale) continue;
    // A connection the upstream closed, or one with stray bytes that would be read as the
    // next client's response, is never handed out.
    if (confirm && is_stale(conn->socket)) continue;
    error_code ignored;
    conn->socket.cancel(ignored);  // ends the watch: no system call, the reactor drops the receive
    return conn;
  }
  return nullptr;
}

namespace {
// The receive is speculative only when the reactor saw the socket readable since its last read
// came back short (Asio's try_speculative_): after a response read to its end it is parked
// without a system call; after a read that filled its buffer it peeks at once.
void watch_idle(UpstreamConnection& conn) {
  conn.watch->stale = false;
  conn.socket.async_receive(asio::buffer(&conn.watch->peeked, 1), Socket::message_peek,
                            [watch = conn.watch](error_code ec, std::size_t) {
                              if (ec != asio::error::operation_aborted) watch->stale = true;
                            });
}
}  // namespace

void UpstreamPool::give_back(std::unique_ptr<UpstreamConnection> conn, std::chrono::steady_clock::time_point now) {
  auto& list = idle_[conn->target_id];
  if (list.size() >= max_idle_) return;  // closes it
  conn->idle_since = now;
  conn->uses++;
  watch_idle(*conn);
  list.push_back(std::move(conn));
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
