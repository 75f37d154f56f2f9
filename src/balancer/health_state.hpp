#pragma once
// The threshold logic of a health check, free of I/O: results in, transitions out.
#include "balancer/health_check.hpp"

namespace baton::health {
class HealthState {
 public:
  explicit HealthState(const HealthCheck& check);

  enum class Change { none, became_healthy, became_unhealthy };
  // One probe's outcome; says whether it moved the instance across a threshold.
  Change record(bool ok);

  // An instance starts unhealthy: it earns traffic by passing healthy_threshold probes in a row.
  bool healthy() const { return healthy_; }
  bool ever_healthy() const { return ever_healthy_; }

 private:
  unsigned healthy_threshold_;
  unsigned unhealthy_threshold_;
  unsigned successes_ = 0;  // consecutive
  unsigned failures_ = 0;   // consecutive
  bool healthy_ = false;
  bool ever_healthy_ = false;
};
}  // namespace baton::health
