#include "app/control_api.hpp"

#include <nlohmann/json.hpp>

#include "app/managed_services.hpp"

namespace baton {
namespace {
using nlohmann::json;

json error_body(std::string_view message) { return json{{"error", message}}; }

json instance_json(const supervisor::InstanceStatus& s, const TargetCounters* counters) {
  json out{{"service", s.service},     {"release", s.release},
           {"instance", s.index},      {"pid", s.pid},
           {"port", s.port},           {"state", supervisor::to_string(s.state)},
           {"ready", s.ready},         {"uptime_ms", s.uptime.count()},
           {"restarts", s.restarts},   {"cpu_ms", s.cpu_time.count()},
           {"rss_bytes", s.rss_bytes}, {"last_error", s.last_error}};
  out["requests"] = counters ? counters->requests.load() : 0;
  out["in_flight"] = counters ? counters->in_flight.load() : 0;
  return out;
}

json status_json(ManagedServices& services) {
  json instances = json::array();
  for (const auto& s : services.status()) instances.push_back(instance_json(s, services.counters_for(s.port)));
  return json{{"instances", instances}};
}
}  // namespace

control::Response handle_api(const control::Request& request, ManagedServices& services) {
  auto target = request.target();
  if (target == "/v1/status") {
    if (request.method() != boost::beast::http::verb::get)
      return control::json_response(request, 405, error_body("use GET for /v1/status").dump());
    return control::json_response(request, 200, status_json(services).dump());
  }
  return control::json_response(request, 404,
                                error_body("unknown endpoint " + std::string(target) + " (see docs/api.md)").dump());
}
}  // namespace baton
