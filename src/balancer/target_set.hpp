#pragma once
// The targets of one service and the policy that picks among them.
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "balancer/target.hpp"

namespace baton {
enum class Policy : std::uint8_t { round_robin, least_conn };

class TargetSet {
 public:
  TargetSet(std::vector<std::shared_ptr<Target>> targets, Policy policy);

  // Picks a target not in `tried`, preferring ones not cooling down after a
  // connect failure. nullptr when every target has been tried.
  Target* pick(std::span<Target* const> tried, std::chrono::steady_clock::time_point now);

  const std::vector<std::shared_ptr<Target>>& targets() const { return targets_; }
  Policy policy() const { return policy_; }

 private:
  Target* pick_round_robin(std::span<Target* const> tried, std::chrono::steady_clock::time_point now,
                           bool allow_cooling);
  Target* pick_least_conn(std::span<Target* const> tried, std::chrono::steady_clock::time_point now,
                          bool allow_cooling);

  std::vector<std::shared_ptr<Target>> targets_;
  Policy policy_;
  std::atomic<std::uint64_t> next_{0};
};

// Marks a connect failure: the target is skipped while others are available.
void start_cooldown(Target& target, std::chrono::steady_clock::time_point now,
                    std::chrono::milliseconds length = std::chrono::milliseconds(1000));
}  // namespace baton
