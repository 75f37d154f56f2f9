#pragma once
// The JSON of GET /v1/status and GET /v1/services/NAME/describe (docs/api.md).
#include <string>

#include <nlohmann/json.hpp>

#include "app/control_api.hpp"
#include "metrics/traffic.hpp"
#include "supervisor/instance.hpp"

namespace baton {
// One instance as `baton ls` and `baton monit` show it; `traffic` is the proxy's, read once per answer.
nlohmann::json instance_json(const supervisor::InstanceStatus& s, ServiceRuntime& runtime,
                             const metrics::TrafficByLabels& traffic);
nlohmann::json status_json(ApiContext& context);
// Everything about one service the daemon knows; the caller checks that it is one.
nlohmann::json describe_json(ApiContext& context, const std::string& service);
}  // namespace baton
