#pragma once
// One proxy thread's traffic counters, by service, release and target. Only
// that thread writes them and only it changes the index it finds them by, so a
// request takes no lock and touches no shared cache line; a scrape, on another
// thread, reads the list of blocks under a mutex that the thread takes only
// when it adds or retires a block (once per new target, not per request).
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "metrics/traffic.hpp"
#include "proxy/route_table.hpp"

namespace baton::proxy {
class WorkerTraffic {
 public:
  // Blocks of targets that left every table, kept per release (their counts must not go
  // down), at most this many per thread: the oldest go first.
  static constexpr std::size_t kMaxRetiredBlocks = 1024;

  struct Block {
    metrics::TrafficLabels labels;
    std::uint64_t target_id = 0;  // 0: not a target's (no target reached, or retired ones)
    metrics::TrafficCounters counters;
    std::uint32_t open = 0;  // this thread's exchanges on the target: it is not retired meanwhile
  };

  // The block of `service` (nullptr: no route) on `target` (nullptr: none reached).
  Block& block(const Service* service, const Target* target);
  // A new table: the blocks of targets it no longer has are folded into their release's
  // target-less block, once no exchange of this thread is open on them.
  void retire_absent(const RouteTable& table);
  bool retire_pending() const { return retire_pending_; }
  // Any thread: adds this thread's counts to `out`.
  void read(metrics::TrafficByLabels& out) const;
  std::size_t block_count() const { return blocks_.size(); }

 private:
  using Blocks = std::list<Block>;
  Block& add(metrics::TrafficLabels labels, std::uint64_t target_id);
  Block& untargeted(const std::string& service, const std::string& release);
  void retire(Blocks::iterator block);
  void drop_oldest_retired();

  mutable std::mutex mutex_;  // guards blocks_ (its membership; the counters are atomics)
  Blocks blocks_;
  // This thread's alone: by target id, one block per service routing to it.
  std::unordered_map<std::uint64_t, std::vector<Blocks::iterator>> by_target_;
  // Looked up by views: a static file or a 404 counts without copying its service's name.
  struct ByServiceRelease {
    using is_transparent = void;
    using View = std::pair<std::string_view, std::string_view>;
    static View view(const View& key) { return key; }
    static View view(const std::pair<std::string, std::string>& key) { return {key.first, key.second}; }
    bool operator()(const auto& a, const auto& b) const { return view(a) < view(b); }
  };
  std::map<std::pair<std::string, std::string>, Blocks::iterator, ByServiceRelease> untargeted_;  // by service, release
  std::deque<std::pair<std::string, std::string>> retired_order_;
  bool retire_pending_ = false;
};

// Counts an exchange as open on its target's block from its first byte upstream to its end.
class OpenExchange {
 public:
  explicit OpenExchange(WorkerTraffic::Block& block) : block_(block) { ++block_.open; }
  ~OpenExchange() { --block_.open; }
  OpenExchange(const OpenExchange&) = delete;
  OpenExchange& operator=(const OpenExchange&) = delete;
  WorkerTraffic::Block& block() { return block_; }

 private:
  WorkerTraffic::Block& block_;
};
}  // namespace baton::proxy
