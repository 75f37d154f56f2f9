#include "app/metrics_page.hpp"

#include <fmt/format.h>

#include "app/deploy_api.hpp"
#include "app/service_runtime.hpp"
#include "deploy/deployer.hpp"
#include "metrics/prometheus_text.hpp"

namespace baton {
namespace {
using metrics::Label;
using metrics::PrometheusText;

// One sample per value of an enumerated label (status class, error kind) beside the target's labels.
template <typename Enum, std::size_t N>
void sample_each(PrometheusText& out, std::string_view name, const std::array<Label, 3>& base,
                 std::string_view label, const std::array<std::uint64_t, N>& counts) {
  for (std::size_t i = 0; i < N; ++i) {
    std::array<Label, 4> all{base[0], base[1], base[2], {label, metrics::to_string(static_cast<Enum>(i))}};
    out.sample(name, all, counts[i]);
  }
}

void render_traffic(PrometheusText& out, const metrics::TrafficByLabels& traffic) {
  auto labels = [](const metrics::TrafficLabels& l) {
    return std::array<Label, 3>{{{"service", l.service}, {"release", l.release}, {"target", l.target}}};
  };
  out.family("baton_requests_total", "counter",
             "Requests answered, by status class (the proxy's own 502, 503 and 504 included).");
  for (const auto& [key, snapshot] : traffic)
    sample_each<metrics::StatusClass>(out, "baton_requests_total", labels(key), "status_class", snapshot.responses);
  out.family("baton_upstream_errors_total", "counter",
             "Failed attempts on a target: refused (connect), reset, timeout, bad_response.");
  for (const auto& [key, snapshot] : traffic) {
    if (key.target.empty() && snapshot.upstream_errors == decltype(snapshot.upstream_errors){}) continue;
    sample_each<metrics::UpstreamError>(out, "baton_upstream_errors_total", labels(key), "kind",
                                        snapshot.upstream_errors);
  }
  out.family("baton_request_duration_seconds", "histogram",
             "From the end of the request's head to the response's last write (WebSocket upgrades not included).");
  for (const auto& [key, snapshot] : traffic) out.histogram("baton_request_duration_seconds", labels(key), snapshot.latency);
  out.family("baton_request_body_bytes_total", "counter", "Request body bytes sent to upstreams.");
  for (const auto& [key, snapshot] : traffic) out.sample("baton_request_body_bytes_total", labels(key), snapshot.request_bytes);
  out.family("baton_response_body_bytes_total", "counter", "Response body bytes sent to clients.");
  for (const auto& [key, snapshot] : traffic)
    out.sample("baton_response_body_bytes_total", labels(key), snapshot.response_bytes);
  out.family("baton_websockets_open", "gauge", "WebSocket tunnels open now.");
  for (const auto& [key, snapshot] : traffic) out.sample("baton_websockets_open", labels(key), snapshot.websockets_open);
}

void render_connections(PrometheusText& out, const proxy::ProxyServer::ConnectionCounts& connections) {
  out.family("baton_connections_open", "gauge", "Client connections open now, on every listener.");
  out.sample("baton_connections_open", {}, connections.open);
  out.family("baton_connections_accepted_total", "counter", "Client connections accepted.");
  out.sample("baton_connections_accepted_total", {}, connections.accepted);
  out.family("baton_connections_shed_total", "counter", "Client connections closed at once by max_connections.");
  out.sample("baton_connections_shed_total", {}, connections.shed);
}

void render_instances(PrometheusText& out, const std::vector<supervisor::InstanceStatus>& instances,
                      const std::vector<std::int64_t>& in_flight) {
  struct Family {
    std::string_view name, type, help;
    double (*value)(const supervisor::InstanceStatus&);
  };
  static constexpr Family kFamilies[] = {
      {"baton_instance_restarts_total", "counter", "Times the supervisor started the instance again.",
       [](const supervisor::InstanceStatus& s) { return static_cast<double>(s.restarts); }},
      {"baton_instance_exits_total", "counter", "Times the instance's process ended without being asked to.",
       [](const supervisor::InstanceStatus& s) { return static_cast<double>(s.exits); }},
      {"baton_instance_cpu_seconds_total", "counter", "CPU time (user and system) of the instance's current process.",
       [](const supervisor::InstanceStatus& s) { return static_cast<double>(s.cpu_time.count()) / 1000.0; }},
      {"baton_instance_resident_memory_bytes", "gauge", "Resident memory of the instance's current process.",
       [](const supervisor::InstanceStatus& s) { return static_cast<double>(s.rss_bytes); }},
      {"baton_instance_ready", "gauge", "1 while the instance accepts connections.",
       [](const supervisor::InstanceStatus& s) { return s.ready ? 1.0 : 0.0; }},
  };
  auto labels_of = [](const supervisor::InstanceStatus& s, const std::string& index) {
    return std::array<Label, 3>{{{"service", s.service}, {"release", s.release}, {"index", index}}};
  };
  for (const auto& family : kFamilies) {
    out.family(family.name, family.type, family.help);
    for (const auto& s : instances) out.sample(family.name, labels_of(s, std::to_string(s.index)), family.value(s));
  }
  out.family("baton_instance_exchanges_open", "gauge",
             "Exchanges open to the instance now: requests in flight, streamed responses, WebSockets.");
  for (std::size_t i = 0; i < instances.size() && i < in_flight.size(); ++i)
    out.sample("baton_instance_exchanges_open", labels_of(instances[i], std::to_string(instances[i].index)),
               std::max<std::int64_t>(0, in_flight[i]));
}

void render_deploys(PrometheusText& out, const MetricsInputs& inputs) {
  auto labels = [](const deploy::DeployOutcome& o) {
    return std::array<Label, 4>{
        {{"service", o.service}, {"kind", o.kind}, {"strategy", o.strategy}, {"outcome", o.outcome}}};
  };
  out.family("baton_deploys_total", "counter",
             "Ended deploys, rollbacks, scales, stops, starts and restarts, by strategy and outcome.");
  for (const auto& [outcome, tally] : inputs.deploys) out.sample("baton_deploys_total", labels(outcome), tally.count);
  out.family("baton_deploy_duration_seconds", "histogram", "How long ended deploys and the like took.");
  for (const auto& [outcome, tally] : inputs.deploys)
    out.histogram("baton_deploy_duration_seconds", labels(outcome), tally.duration);
  out.family("baton_live_release", "gauge", "1 for the release each service serves.");
  for (const auto& live : inputs.live) {
    std::array<Label, 3> labels{{{"service", live.service}, {"release", live.release}, {"version", live.version}}};
    out.sample("baton_live_release", labels, std::uint64_t{1});
  }
}
}  // namespace

std::string render_metrics(const MetricsInputs& inputs) {
  PrometheusText out;
  render_traffic(out, inputs.traffic);
  render_connections(out, inputs.connections);
  render_instances(out, inputs.instances, inputs.in_flight);
  render_deploys(out, inputs);
  return out.take();
}

control::Response metrics_response(const control::Request& request, ServiceRuntime& runtime,
                                   const deploy::Deployer& deployer) {
  if (request.method() != boost::beast::http::verb::get) return api_error(request, 405, "use GET for /metrics");
  MetricsInputs inputs{.traffic = runtime.server().traffic(),
                       .connections = runtime.server().connections(),
                       .instances = runtime.status(),
                       .deploys = deployer.stats().tallies(),
                       .live = {},
                       .in_flight = {}};
  for (const auto& s : inputs.instances) {
    const auto* counters = runtime.counters_for(Address{Address::Kind::tcp, "127.0.0.1", s.port, {}});
    inputs.in_flight.push_back(counters ? counters->in_flight.load(std::memory_order_relaxed) : 0);
  }
  for (const auto& name : deployer.service_names())
    if (const auto* live = deployer.live(name)) inputs.live.push_back({name, live->id, live->version});
  control::Response response(boost::beast::http::status::ok, request.version());
  response.set(boost::beast::http::field::content_type, metrics::kPrometheusContentType);
  response.set(boost::beast::http::field::cache_control, "no-store");
  response.body() = render_metrics(inputs);
  return response;
}
}  // namespace baton
