#pragma once
// The targets of one service and the policy that picks among them.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "balancer/release_split.hpp"
#include "balancer/target.hpp"

namespace baton {
enum class Policy : std::uint8_t { round_robin, least_conn };

class TargetSet {
 public:
  static constexpr int kAnyRelease = -1;

  static_assert(kAnyRelease == ReleaseSplit::kNone);

  // `releases`: the release of each target (same order), or empty when they all
  // belong to one release. Targets of one release need not be adjacent.
  // `weights` and `canary` make the split() over the releases that have targets.
  TargetSet(std::vector<std::shared_ptr<Target>> targets, Policy policy, std::vector<std::string> releases = {},
            const std::map<std::string, unsigned>& weights = {}, std::string_view canary = {});

  // Picks a target not in `tried`, preferring ones not cooling down after a
  // connect failure: only targets of `release`, or with kAnyRelease those of
  // every open release (see ReleaseSplit). nullptr when every eligible target has been tried.
  Target* pick(std::span<Target* const> tried, std::chrono::steady_clock::time_point now,
               int release = kAnyRelease);

  const std::vector<std::shared_ptr<Target>>& targets() const { return targets_; }
  Policy policy() const { return policy_; }

  // Distinct releases, in order of first appearance; one entry ("") without releases.
  const std::vector<std::string>& releases() const { return release_names_; }
  // Index into releases(), or kAnyRelease when no target belongs to `name`.
  int find_release(std::string_view name) const;
  // Index into releases() of a target of this set.
  int release_of(const Target* target) const;
  const ReleaseSplit& split() const { return split_; }

 private:
  bool eligible(std::size_t i, std::span<Target* const> tried, std::chrono::steady_clock::time_point now,
                bool allow_cooling, int release) const;
  Target* pick_round_robin(std::span<Target* const> tried, std::chrono::steady_clock::time_point now,
                           bool allow_cooling, int release);
  Target* pick_least_conn(std::span<Target* const> tried, std::chrono::steady_clock::time_point now,
                          bool allow_cooling, int release);

  std::vector<std::shared_ptr<Target>> targets_;
  std::vector<int> release_index_;  // per target; empty with a single release
  std::vector<std::string> release_names_;
  ReleaseSplit split_;
  Policy policy_;
  std::atomic<std::uint64_t> next_{0};
};

// Marks a connect failure: the target is skipped while others are available.
void start_cooldown(Target& target, std::chrono::steady_clock::time_point now,
                    std::chrono::milliseconds length = std::chrono::milliseconds(1000));
}  // namespace baton
