#pragma once
// What happened to one request, and the running totals of many.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace baton::load {

enum class ErrorClass { none, connect_refused, reset, eof_mid_response, timeout, other };
std::string_view error_name(ErrorClass error);

struct Outcome {
  unsigned status = 0;  // 0 when no complete response arrived
  ErrorClass error = ErrorClass::none;
  std::string version;  // X-Backend-Name, empty when absent
  std::chrono::microseconds latency{0};
  bool regression = false;  // a version this client had already moved away from
  std::chrono::microseconds started{0};  // since the run began
  bool connected = false;                // a new connection was opened for this request
};

// Counts without latencies: cheap to copy once a second for progress lines.
struct Counts {
  std::uint64_t requests = 0;
  std::uint64_t ok = 0;  // 2xx
  std::map<unsigned, std::uint64_t> statuses;    // non-2xx only
  std::map<std::string, std::uint64_t> errors;   // by error_name
  std::map<std::string, std::uint64_t> versions;
  std::uint64_t version_regressions = 0;

  void add(const Outcome& outcome);
  void merge(const Counts& other);
  std::uint64_t failed() const { return requests - ok; }
};

struct LatencySummary {
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

// Nearest-rank percentiles of the given latencies (microseconds); zeros when empty.
LatencySummary summarize_latencies(std::vector<std::uint32_t> latencies_us);

}  // namespace baton::load
