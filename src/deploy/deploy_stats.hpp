#pragma once
// Deploys, rollbacks and in-place changes (scale, stop, start, restart) counted by how they
// ended, with their durations, for /metrics. Control plane's thread only.
#include <compare>
#include <cstdint>
#include <map>
#include <string>

#include "metrics/histogram.hpp"

namespace baton::deploy {
class DeployRun;

struct DeployOutcome {
  std::string service;
  std::string kind;      // deploy, rollback, scale, stop, start, restart
  std::string strategy;  // rolling, blue-green, recreate, switch (a warm standby), in place
  std::string outcome;   // succeeded or failed (the live release kept serving)
  auto operator<=>(const DeployOutcome&) const = default;
};

struct DeployTally {
  std::uint64_t count = 0;
  metrics::HistogramCounts duration{metrics::kDeployDurationBounds};
};

class DeployStats {
 public:
  void record(const DeployRun& run, bool ok);
  const std::map<DeployOutcome, DeployTally>& tallies() const { return tallies_; }

 private:
  std::map<DeployOutcome, DeployTally> tallies_;
};
}  // namespace baton::deploy
