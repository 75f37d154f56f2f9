#include "deploy/deploy_stats.hpp"

#include "deploy/deploy_run.hpp"

namespace baton::deploy {
void DeployStats::record(const DeployRun& run, bool ok) {
  auto& tally = tallies_[DeployOutcome{run.service(), run.kind(), run.strategy(), ok ? "succeeded" : "failed"}];
  ++tally.count;
  auto took = std::chrono::duration_cast<std::chrono::microseconds>(run.elapsed());
  tally.duration.observe(static_cast<std::uint64_t>(took.count()));
}
}  // namespace baton::deploy
