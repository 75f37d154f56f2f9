#pragma once
// What the proxy counts per service, release and target: responses by status
// class, upstream errors by kind, body bytes, open WebSockets and latency. A
// proxy thread writes its own TrafficCounters; a scrape reads each thread's
// into TrafficSnapshots and adds them up. Two snapshots of a release, taken
// some time apart, subtract into the window a canary is judged on.
#include <array>
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "metrics/histogram.hpp"
#include "metrics/local_counter.hpp"

namespace baton::metrics {
enum class StatusClass : std::uint8_t { informational, success, redirection, client_error, server_error };
inline constexpr std::size_t kStatusClasses = 5;
// 1xx to 5xx; anything outside 100-599 counts as a server error.
StatusClass status_class(unsigned status);
std::string_view to_string(StatusClass c);  // "2xx"

enum class UpstreamError : std::uint8_t { refused, reset, timeout, bad_response };
inline constexpr std::size_t kUpstreamErrorKinds = 4;
std::string_view to_string(UpstreamError e);  // "refused"

struct TrafficSnapshot {
  std::array<std::uint64_t, kStatusClasses> responses{};
  std::array<std::uint64_t, kUpstreamErrorKinds> upstream_errors{};
  std::uint64_t request_bytes = 0;   // request bodies sent upstream
  std::uint64_t response_bytes = 0;  // response bodies sent to clients
  std::int64_t websockets_open = 0;  // a gauge: not subtracted by since()
  HistogramCounts latency{kLatencyBounds};

  std::uint64_t requests() const;
  std::uint64_t responses_of(StatusClass c) const { return responses[static_cast<std::size_t>(c)]; }
  std::uint64_t errors_of(UpstreamError e) const { return upstream_errors[static_cast<std::size_t>(e)]; }
  TrafficSnapshot& operator+=(const TrafficSnapshot& other);
  // The counts added after `earlier` (a snapshot of the same series); a counter lower than in
  // `earlier` restarted, and counts from zero.
  TrafficSnapshot since(const TrafficSnapshot& earlier) const;
};

// Written by one proxy thread only.
class TrafficCounters {
 public:
  void count_response(unsigned status) { responses_[static_cast<std::size_t>(status_class(status))].add(); }
  void count_bytes(std::uint64_t request, std::uint64_t response) {
    if (request) request_bytes_.add(request);
    if (response) response_bytes_.add(response);
  }
  void observe_latency(std::uint64_t micros) { latency_.observe(micros); }
  void count_upstream_error(UpstreamError e) { errors_[static_cast<std::size_t>(e)].add(); }
  void websocket_opened() { websockets_.add(1); }
  void websocket_closed() { websockets_.add(-1); }
  TrafficSnapshot read() const;
  // Adds what another block counted (a target's, retiring into its release's).
  void absorb(const TrafficSnapshot& other);

 private:
  std::array<LocalCounter, kStatusClasses> responses_;
  std::array<LocalCounter, kUpstreamErrorKinds> errors_;
  LocalCounter request_bytes_;
  LocalCounter response_bytes_;
  LocalGauge websockets_;
  LocalHistogram latency_;
};

// Whose traffic a snapshot is. `target` is the upstream's address; "" holds requests that
// reached no target (no route, nothing healthy, a static site) and those of targets that
// have left every route table, so a release's total never goes down.
struct TrafficLabels {
  std::string service;
  std::string release;
  std::string target;
  auto operator<=>(const TrafficLabels&) const = default;
};
using TrafficByLabels = std::map<TrafficLabels, TrafficSnapshot>;

// One service's traffic summed per release (its targets added up).
std::map<std::string, TrafficSnapshot> by_release(const TrafficByLabels& traffic, std::string_view service);

// What a canary is judged on: a release's traffic over a window (two snapshots subtracted).
struct WindowSummary {
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;                  // 5xx responses, the proxy's own 502/504 included
  std::optional<double> p99_seconds;         // nullopt without a request
  double error_rate() const { return requests ? static_cast<double>(errors) / static_cast<double>(requests) : 0.0; }
};
WindowSummary summarize(const TrafficSnapshot& window);
}  // namespace baton::metrics
