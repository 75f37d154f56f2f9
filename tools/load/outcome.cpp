#include "outcome.hpp"

#include <algorithm>
#include <cmath>

namespace baton::load {
namespace {
double at_rank(const std::vector<std::uint32_t>& sorted, double percent) {
  auto rank = static_cast<std::size_t>(std::ceil(percent / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1] / 1000.0;
}
}  // namespace

std::string_view error_name(ErrorClass error) {
  switch (error) {
    case ErrorClass::none: return "none";
    case ErrorClass::connect_refused: return "connect_refused";
    case ErrorClass::reset: return "reset";
    case ErrorClass::eof_mid_response: return "eof_mid_response";
    case ErrorClass::timeout: return "timeout";
    case ErrorClass::other: return "other";
  }
  return "other";
}

void Counts::add(const Outcome& outcome) {
  ++requests;
  if (outcome.error != ErrorClass::none) ++errors[std::string(error_name(outcome.error))];
  else if (outcome.status >= 200 && outcome.status < 300) ++ok;
  else ++statuses[outcome.status];
  if (!outcome.version.empty()) ++versions[outcome.version];
  if (outcome.regression) ++version_regressions;
}

void Counts::merge(const Counts& other) {
  requests += other.requests;
  ok += other.ok;
  for (const auto& [status, n] : other.statuses) statuses[status] += n;
  for (const auto& [error, n] : other.errors) errors[error] += n;
  for (const auto& [version, n] : other.versions) versions[version] += n;
  version_regressions += other.version_regressions;
}

LatencySummary summarize_latencies(std::vector<std::uint32_t> latencies_us) {
  if (latencies_us.empty()) return {};
  std::sort(latencies_us.begin(), latencies_us.end());
  return {at_rank(latencies_us, 50), at_rank(latencies_us, 90), at_rank(latencies_us, 99),
          latencies_us.back() / 1000.0};
}

}  // namespace baton::load
