#include "metrics/traffic.hpp"

namespace baton::metrics {
namespace {
std::uint64_t minus(std::uint64_t now, std::uint64_t earlier) { return now >= earlier ? now - earlier : now; }
}  // namespace

StatusClass status_class(unsigned status) {
  if (status < 100 || status > 599) return StatusClass::server_error;
  return static_cast<StatusClass>(status / 100 - 1);
}

std::string_view to_string(StatusClass c) {
  static constexpr std::array<std::string_view, kStatusClasses> kNames = {"1xx", "2xx", "3xx", "4xx", "5xx"};
  return kNames[static_cast<std::size_t>(c)];
}

std::string_view to_string(UpstreamError e) {
  static constexpr std::array<std::string_view, kUpstreamErrorKinds> kNames = {"refused", "reset", "timeout",
                                                                               "bad_response"};
  return kNames[static_cast<std::size_t>(e)];
}

std::uint64_t TrafficSnapshot::requests() const {
  std::uint64_t total = 0;
  for (auto n : responses) total += n;
  return total;
}

TrafficSnapshot& TrafficSnapshot::operator+=(const TrafficSnapshot& other) {
  for (std::size_t i = 0; i < responses.size(); ++i) responses[i] += other.responses[i];
  for (std::size_t i = 0; i < upstream_errors.size(); ++i) upstream_errors[i] += other.upstream_errors[i];
  request_bytes += other.request_bytes;
  response_bytes += other.response_bytes;
  websockets_open += other.websockets_open;
  latency += other.latency;
  return *this;
}

TrafficSnapshot TrafficSnapshot::since(const TrafficSnapshot& earlier) const {
  TrafficSnapshot window;
  for (std::size_t i = 0; i < responses.size(); ++i) window.responses[i] = minus(responses[i], earlier.responses[i]);
  for (std::size_t i = 0; i < upstream_errors.size(); ++i)
    window.upstream_errors[i] = minus(upstream_errors[i], earlier.upstream_errors[i]);
  window.request_bytes = minus(request_bytes, earlier.request_bytes);
  window.response_bytes = minus(response_bytes, earlier.response_bytes);
  window.websockets_open = websockets_open;
  window.latency = latency.since(earlier.latency);
  return window;
}

TrafficSnapshot TrafficCounters::read() const {
  TrafficSnapshot out;
  for (std::size_t i = 0; i < responses_.size(); ++i) out.responses[i] = responses_[i].read();
  for (std::size_t i = 0; i < errors_.size(); ++i) out.upstream_errors[i] = errors_[i].read();
  out.request_bytes = request_bytes_.read();
  out.response_bytes = response_bytes_.read();
  out.websockets_open = websockets_.read();
  out.latency = latency_.read();
  return out;
}

void TrafficCounters::absorb(const TrafficSnapshot& other) {
  for (std::size_t i = 0; i < responses_.size(); ++i) responses_[i].add(other.responses[i]);
  for (std::size_t i = 0; i < errors_.size(); ++i) errors_[i].add(other.upstream_errors[i]);
  request_bytes_.add(other.request_bytes);
  response_bytes_.add(other.response_bytes);
  websockets_.add(other.websockets_open);
  latency_.absorb(other.latency);
}

std::map<std::string, TrafficSnapshot> by_release(const TrafficByLabels& traffic, std::string_view service) {
  std::map<std::string, TrafficSnapshot> out;
  for (const auto& [labels, snapshot] : traffic)
    if (labels.service == service) out[labels.release] += snapshot;
  return out;
}

WindowSummary summarize(const TrafficSnapshot& window) {
  WindowSummary summary;
  summary.requests = window.requests();
  summary.errors = window.responses_of(StatusClass::server_error);
  if (auto p99 = window.latency.quantile(0.99)) summary.p99_seconds = *p99 / 1e6;
  return summary;
}
}  // namespace baton::metrics
