#pragma once
#include <chrono>

#include "supervisor/defaults.hpp"

namespace baton::supervisor {
using Millis = std::chrono::milliseconds;

struct BackoffPolicy {
  Millis initial = defaults::kBackoffInitial;
  Millis max = defaults::kBackoffMax;
  Millis min_uptime = defaults::kStableUptime;
  unsigned crash_loop_runs = defaults::kCrashLoopRuns;
};

// Restart pacing for one instance. Each run shorter than min_uptime doubles the delay before the
// next start (up to max), so a broken release costs little CPU and log space; a run that lasted
// starts over, so one crash a day is restarted at once. A process that could not even be spawned
// counts as a run of zero length.
class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy = {}) : policy_(policy) {}

  // The instance exited after running for `uptime`: the delay before starting it again.
  Millis on_exit(Millis uptime);

  // Enough consecutive short runs that restarting is unlikely to help by itself.
  bool crash_loop() const { return short_runs_ >= policy_.crash_loop_runs; }
  unsigned short_runs() const { return short_runs_; }
  const BackoffPolicy& policy() const { return policy_; }

 private:
  BackoffPolicy policy_;
  unsigned short_runs_ = 0;
};
}  // namespace baton::supervisor
