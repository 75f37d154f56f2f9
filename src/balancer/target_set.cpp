#include "balancer/target_set.hpp"

#include <algorithm>

namespace baton {
namespace {
bool was_tried(std::span<Target* const> tried, const Target* t) {
  return std::find(tried.begin(), tried.end(), t) != tried.end();
}
}  // namespace

TargetSet::TargetSet(std::vector<std::shared_ptr<Target>> targets, Policy policy)
    : targets_(std::move(targets)), policy_(policy) {}

Target* TargetSet::pick(std::span<Target* const> tried, std::chrono::steady_clock::time_point now) {
  if (targets_.empty()) return nullptr;
  for (bool allow_cooling : {false, true}) {
    Target* t = policy_ == Policy::least_conn ? pick_least_conn(tried, now, allow_cooling)
                                              : pick_round_robin(tried, now, allow_cooling);
    if (t) return t;
  }
  return nullptr;
}

Target* TargetSet::pick_round_robin(std::span<Target* const> tried, std::chrono::steady_clock::time_point now,
                                    bool allow_cooling) {
  auto n = targets_.size();
  auto start = next_.fetch_add(1, std::memory_order_relaxed);
  for (std::size_t i = 0; i < n; ++i) {
    Target* t = targets_[(start + i) % n].get();
    if (was_tried(tried, t) || (!allow_cooling && t->cooling_down(now))) continue;
    return t;
  }
  return nullptr;
}

// Fewest in-flight requests wins; the rotating start spreads ties evenly.
Target* TargetSet::pick_least_conn(std::span<Target* const> tried, std::chrono::steady_clock::time_point now,
                                   bool allow_cooling) {
  auto n = targets_.size();
  auto start = next_.fetch_add(1, std::memory_order_relaxed);
  Target* best = nullptr;
  std::int64_t best_load = 0;
  for (std::size_t i = 0; i < n; ++i) {
    Target* t = targets_[(start + i) % n].get();
    if (was_tried(tried, t) || (!allow_cooling && t->cooling_down(now))) continue;
    auto load = t->counters.in_flight.load(std::memory_order_relaxed);
    if (!best || load < best_load) {
      best = t;
      best_load = load;
    }
  }
  return best;
}

void start_cooldown(Target& target, std::chrono::steady_clock::time_point now, std::chrono::milliseconds length) {
  auto until = (now + length).time_since_epoch();
  target.cooldown_until_ns.store(std::chrono::duration_cast<std::chrono::nanoseconds>(until).count(),
                                 std::memory_order_relaxed);
}
}  // namespace baton
