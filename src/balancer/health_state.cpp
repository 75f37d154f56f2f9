#include "balancer/health_state.hpp"

#include <algorithm>

namespace baton::health {
// A threshold of 0 would make a state change without evidence; treat it as 1.
HealthState::HealthState(const HealthCheck& check)
    : healthy_threshold_(std::max(1u, check.healthy_threshold)),
      unhealthy_threshold_(std::max(1u, check.unhealthy_threshold)) {}

HealthState::Change HealthState::record(bool ok) {
  if (ok) {
    failures_ = 0;
    ++successes_;
    if (healthy_ || successes_ < healthy_threshold_) return Change::none;
    healthy_ = true;
    ever_healthy_ = true;
    return Change::became_healthy;
  }
  successes_ = 0;
  ++failures_;
  if (!healthy_ || failures_ < unhealthy_threshold_) return Change::none;
  healthy_ = false;
  return Change::became_unhealthy;
}
}  // namespace baton::health
