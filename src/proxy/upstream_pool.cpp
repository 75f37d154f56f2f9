#include "proxy/upstream_pool.hpp"

#include <algorithm>

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
    if (now - conn->idle_since >= idle_timeout_) continue;
    // One peek per reuse: a connection the upstream closed, or one with stray
    // bytes that would be read as the next client's response, is never handed out.
    // Watching idle connections in the reactor instead would save the system call,
    // but Asio 1.81 keeps a socket's reads speculative after any read that returned
    // data, so a parked MSG_PEEK receive makes the same call; and a plain wait for
    // readability misses bytes that came between the last read and the parking.
    if (!is_stale(conn->socket)) return conn;
  }
  return nullptr;
}

void UpstreamPool::give_back(std::unique_ptr<UpstreamConnection> conn, std::chrono::steady_clock::time_point now) {
  auto& list = idle_[conn->target_id];
  if (list.size() >= max_idle_) return;  // closes it
  conn->idle_since = now;
  conn->uses++;
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
