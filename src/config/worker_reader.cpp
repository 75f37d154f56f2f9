#include "config/worker_reader.hpp"

#include <array>
#include <optional>

#include <fmt/format.h>

namespace baton::config_detail {
namespace {
// Keys about requests: routing them, checking a port, judging the traffic a release serves.
constexpr std::array<std::string_view, 22> kRequestKeys = {
    "hosts", "path", "balance", "access_log", "retries", "underscores_in_headers", "timeouts", "limits",
    "socket_activation", "health", "version_affinity", "max_pause", "max_paused_requests", "canary_steps",
    "canary_interval", "max_error_rate", "max_p99_ratio", "p99_floor", "min_requests", "max_window_extensions",
    "too_few_requests", "watch"};

// The first of `keys` in the file, so the error points at the line to change.
std::optional<std::string_view> first_present(const TableReader& r, std::span<const std::string_view> keys) {
  std::optional<std::string_view> first;
  for (auto key : keys)
    if (r.has(key) && (!first || r.line_of(key) < r.line_of(*first))) first = key;
  return first;
}

void refuse_request_keys(TableReader& r, const ServiceConfig& service) {
  if (auto key = first_present(r, kRequestKeys)) {
    if (*key == "health")
      return r.fail_at("health", "needs listen: a worker (a service without listen) has no port to check; it is "
                                 "ready after min_uptime, or when it sends READY=1 with notify = true");
    return r.fail_at(*key, "needs listen: a worker (a service without listen) takes no requests");
  }
  if (service.deploy.strategy == Strategy::canary)
    return r.fail_at("strategy", "\"canary\" needs listen: a canary is judged by the requests it serves, and a "
                                 "worker serves none; use \"rolling\", \"recreate\" or \"blue-green\"");
  for (const auto& word : service.command)
    if (word.find("{port}") != std::string::npos)
      return r.fail_at("command", "uses {port}, but a worker (a service without listen) has no port");
}
}  // namespace

void read_worker(TableReader& r, ServiceConfig& service) {
  r.read("notify", service.notify);
  r.read_duration("watchdog", service.watchdog);
  if (r.has("watchdog") && !service.notify)
    return r.fail_at("watchdog", "needs notify = true: the pings (WATCHDOG=1) come through NOTIFY_SOCKET");
  if (service.watchdog > Millis(0) && service.watchdog < defaults::kMinWatchdog)
    return r.fail_at("watchdog", fmt::format("must be at least {} ms: a shorter one restarts busy instances",
                                             defaults::kMinWatchdog.count()));
  if (Millis min_uptime{0}; r.read_duration("min_uptime", min_uptime)) service.min_uptime = min_uptime;
  if (service.worker) refuse_request_keys(r, service);
}
}  // namespace baton::config_detail
