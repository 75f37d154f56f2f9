#include "supervisor/backoff.hpp"

#include <algorithm>

namespace baton::supervisor {
Millis Backoff::on_exit(Millis uptime) {
  if (uptime >= policy_.min_uptime) {
    short_runs_ = 0;
    return std::min(policy_.initial, policy_.max);
  }
  ++short_runs_;
  // Doubling step by step rather than shifting: no overflow however many crashes accumulate.
  Millis delay = std::min(policy_.initial, policy_.max);
  for (unsigned i = 1; i < short_runs_; ++i) {
    if (delay > policy_.max / 2) return policy_.max;
    delay *= 2;
  }
  return delay;
}
}  // namespace baton::supervisor
