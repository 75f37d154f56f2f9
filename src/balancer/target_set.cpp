#include "balancer/target_set.hpp"

#include <algorithm>

#include "base/check.hpp"

namespace baton {
namespace {
bool was_tried(std::span<Target* const> tried, const Target* t) {
  return std::find(tried.begin(), tried.end(), t) != tried.end();
}
}  // namespace

TargetSet::TargetSet(std::vector<std::shared_ptr<Target>> targets, Policy policy, std::vector<std::string> releases,
                     const std::map<std::string, unsigned>& weights, std::string_view canary)
    : targets_(std::move(targets)), policy_(policy) {
  BATON_CHECK(releases.empty() || releases.size() == targets_.size());
  for (const auto& name : releases) {
    auto it = std::find(release_names_.begin(), release_names_.end(), name);
    release_index_.push_back(static_cast<int>(it - release_names_.begin()));
    if (it == release_names_.end()) release_names_.push_back(name);
  }
  // One release needs no per-target tags: picking then never looks at them.
  if (release_names_.size() <= 1) release_index_.clear();
  if (release_names_.empty()) release_names_.emplace_back();
  split_ = ReleaseSplit(release_names_, weights, canary);
}

int TargetSet::find_release(std::string_view name) const {
  auto it = std::find(release_names_.begin(), release_names_.end(), name);
  return it == release_names_.end() ? kAnyRelease : static_cast<int>(it - release_names_.begin());
}

int TargetSet::release_of(const Target* target) const {
  if (release_index_.empty()) return 0;
  for (std::size_t i = 0; i < targets_.size(); ++i)
    if (targets_[i].get() == target) return release_index_[i];
  return kAnyRelease;
}

Target* TargetSet::pick(std::span<Target* const> tried, std::chrono::steady_clock::time_point now, int release) {
  if (targets_.empty()) return nullptr;
  // One release: every target is of it, and it is open (a weighted split sums to more than 0).
  if (release_index_.empty()) release = kAnyRelease;
  for (bool allow_cooling : {false, true}) {
    Target* t = policy_ == Policy::least_conn ? pick_least_conn(tried, now, allow_cooling, release)
                                              : pick_round_robin(tried, now, allow_cooling, release);
    if (t) return t;
  }
  return nullptr;
}

bool TargetSet::eligible(std::size_t i, std::span<Target* const> tried, std::chrono::steady_clock::time_point now,
                         bool allow_cooling, int release) const {
  const Target* t = targets_[i].get();
  if (release != kAnyRelease ? release_index_[i] != release
                             : !release_index_.empty() && !split_.open(release_index_[i]))
    return false;
  return !was_tried(tried, t) && (allow_cooling || !t->cooling_down(now));
}

Target* TargetSet::pick_round_robin(std::span<Target* const> tried, std::chrono::steady_clock::time_point now,
                                    bool allow_cooling, int release) {
  auto n = targets_.size();
  auto start = next_.fetch_add(1, std::memory_order_relaxed);
  for (std::size_t i = 0; i < n; ++i) {
    auto index = (start + i) % n;
    if (eligible(index, tried, now, allow_cooling, release)) return targets_[index].get();
  }
  return nullptr;
}

// Fewest in-flight requests wins; the rotating start spreads ties evenly.
Target* TargetSet::pick_least_conn(std::span<Target* const> tried, std::chrono::steady_clock::time_point now,
                                   bool allow_cooling, int release) {
  auto n = targets_.size();
  auto start = next_.fetch_add(1, std::memory_order_relaxed);
  Target* best = nullptr;
  std::int64_t best_load = 0;
  for (std::size_t i = 0; i < n; ++i) {
    auto index = (start + i) % n;
    if (!eligible(index, tried, now, allow_cooling, release)) continue;
    Target* t = targets_[index].get();
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
