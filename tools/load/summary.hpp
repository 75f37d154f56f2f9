#pragma once
// The report at the end of a run (JSON or a short table) and the live
// progress line.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "outcome.hpp"

namespace baton::load {

struct RunResult {
  Counts counts;
  LatencySummary latency;  // over complete responses, whatever their status
  double duration_s = 0;
  std::vector<std::string> regression_examples;
  double rps() const { return duration_s > 0 ? static_cast<double>(counts.requests) / duration_s : 0; }
};

nlohmann::json summary_json(const RunResult& result);
std::string summary_table(const RunResult& result);

// One line for the last interval: its requests per second and versions, and the failures so far.
std::string progress_line(const Counts& before, const Counts& now, double interval_s);

}  // namespace baton::load
