#pragma once
// GET /metrics on the control socket and the admin listener: the proxy's traffic, the
// supervisor's instances and the deploy engine's runs as Prometheus text (docs/metrics.md).
#include <string>
#include <vector>

#include "control/control_server.hpp"
#include "deploy/deploy_stats.hpp"
#include "metrics/traffic.hpp"
#include "proxy/proxy_server.hpp"
#include "supervisor/instance.hpp"

namespace baton {
class ServiceRuntime;
namespace deploy {
class Deployer;
}

struct LiveRelease {
  std::string service;
  std::string release;
  std::string version;
};

// Everything one scrape shows, read on the control plane's thread.
struct MetricsInputs {
  metrics::TrafficByLabels traffic;
  proxy::ProxyServer::ConnectionCounts connections;
  std::vector<supervisor::InstanceStatus> instances;
  std::map<deploy::DeployOutcome, deploy::DeployTally> deploys;
  std::vector<LiveRelease> live;
  std::vector<std::int64_t> in_flight;  // per instances[i]: exchanges open to it now
};

std::string render_metrics(const MetricsInputs& inputs);

// 200 with the text for GET, 405 for any other method (as every endpoint of the API).
control::Response metrics_response(const control::Request& request, ServiceRuntime& runtime,
                                   const deploy::Deployer& deployer);
}  // namespace baton
