#include "app/status_json.hpp"

#include <unistd.h>

#include "app/api_json.hpp"
#include "app/service_runtime.hpp"
#include "app/version.hpp"
#include "deploy/deployer.hpp"

namespace baton {
using nlohmann::json;

namespace {
Address loopback_target(std::uint16_t port) { return Address{Address::Kind::tcp, "127.0.0.1", port, {}}; }

// Requests to the instance that failed: upstream errors of every kind and the 5xx it answered.
std::uint64_t error_count(const supervisor::InstanceStatus& s, const metrics::TrafficByLabels& traffic) {
  if (s.port == 0) return 0;
  auto found = traffic.find(metrics::TrafficLabels{s.service, s.release, loopback_target(s.port).text()});
  if (found == traffic.end()) return 0;
  std::uint64_t errors = found->second.responses_of(metrics::StatusClass::server_error);
  for (auto count : found->second.upstream_errors) errors += count;
  return errors;
}

json services_json(ApiContext& context) {
  json services = json::array();
  for (const auto& name : context.deployer.service_names()) {
    const auto* live = context.deployer.live(name);
    json service{{"name", name},
                 {"live", live ? live->id : ""},
                 {"version", live ? live->version : ""},
                 {"standby", context.deployer.standby(name)},
                 {"paused", context.runtime.traffic(name).paused}};
    if (auto run = context.deployer.running(name)) service["deploy"] = run_json(*run);
    services.push_back(std::move(service));
  }
  return services;
}
}  // namespace

json instance_json(const supervisor::InstanceStatus& s, ServiceRuntime& runtime,
                   const metrics::TrafficByLabels& traffic) {
  const auto* counters = runtime.counters_for(loopback_target(s.port));
  json out{{"service", s.service},     {"release", s.release},
           {"instance", s.index},      {"pid", s.pid},
           {"port", s.port},           {"state", supervisor::to_string(s.state)},
           {"ready", s.ready},         {"healthy", runtime.healthy(s.service, s.release, s.index)},
           {"uptime_ms", s.uptime.count()},
           {"restarts", s.restarts},   {"cpu_ms", s.cpu_time.count()},
           {"rss_bytes", s.rss_bytes}, {"last_error", s.last_error}};
  out["requests"] = counters ? counters->requests.load() : 0;
  out["in_flight"] = counters ? counters->in_flight.load() : 0;
  out["errors"] = error_count(s, traffic);
  if (s.notify_rejected > 0) out["notify_rejected"] = s.notify_rejected;
  return out;
}

json status_json(ApiContext& context) {
  json instances = json::array();
  auto traffic = context.runtime.server().traffic();
  for (const auto& s : context.runtime.status()) instances.push_back(instance_json(s, context.runtime, traffic));
  return json{{"instances", instances},
              {"services", services_json(context)},
              {"daemon", {{"version", baton_version()}, {"pid", ::getpid()}}}};
}
}  // namespace baton
