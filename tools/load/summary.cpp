#include "summary.hpp"

#include <fmt/format.h>

namespace baton::load {
namespace {
template <typename Map>
std::string pairs(const Map& map) {
  std::string out;
  for (const auto& [key, n] : map) out += fmt::format("{}{}={}", out.empty() ? "" : " ", key, n);
  return out.empty() ? "-" : out;
}

std::map<std::string, std::uint64_t> versions_since(const Counts& before, const Counts& now) {
  std::map<std::string, std::uint64_t> delta;
  for (const auto& [version, n] : now.versions) {
    auto it = before.versions.find(version);
    auto earlier = it == before.versions.end() ? 0 : it->second;
    if (n > earlier) delta[version] = n - earlier;
  }
  return delta;
}
}  // namespace

nlohmann::json summary_json(const RunResult& result) {
  const auto& c = result.counts;
  nlohmann::json statuses = nlohmann::json::object();
  for (const auto& [status, n] : c.statuses) statuses[std::to_string(status)] = n;
  return {{"requests", c.requests},
          {"ok", c.ok},
          {"failed", c.failed()},
          {"statuses", statuses},
          {"errors", nlohmann::json(c.errors)},
          {"versions", nlohmann::json(c.versions)},
          {"version_regressions", c.version_regressions},
          {"p50_ms", result.latency.p50_ms},
          {"p90_ms", result.latency.p90_ms},
          {"p99_ms", result.latency.p99_ms},
          {"max_ms", result.latency.max_ms},
          {"rps", result.rps()},
          {"duration_s", result.duration_s},
          {"regression_examples", result.regression_examples}};
}

std::string summary_table(const RunResult& result) {
  const auto& c = result.counts;
  const auto& l = result.latency;
  std::string out;
  out += fmt::format("requests     {}  ({:.1f}/s over {:.2f} s)\n", c.requests, result.rps(), result.duration_s);
  out += fmt::format("ok           {}\n", c.ok);
  out += fmt::format("failed       {}\n", c.failed());
  out += fmt::format("  statuses   {}\n", pairs(c.statuses));
  out += fmt::format("  errors     {}\n", pairs(c.errors));
  out += fmt::format("versions     {}\n", pairs(c.versions));
  out += fmt::format("regressions  {}\n", c.version_regressions);
  out += fmt::format("latency ms   p50 {:.2f}  p90 {:.2f}  p99 {:.2f}  max {:.2f}\n", l.p50_ms, l.p90_ms, l.p99_ms,
                     l.max_ms);
  return out;
}

std::string progress_line(const Counts& before, const Counts& now, double interval_s) {
  auto requests = now.requests - before.requests;
  double rps = interval_s > 0 ? static_cast<double>(requests) / interval_s : 0;
  return fmt::format("req/s {:.0f}  failed {}  versions {}\n", rps, now.failed(), pairs(versions_since(before, now)));
}

}  // namespace baton::load
