#include "config/health_reader.hpp"

#include <array>

#include <fmt/format.h>

#include "config/service_rules.hpp"

namespace baton::config_detail {
namespace {
// A threshold above this is surely a typo: the instance would take minutes to change state.
constexpr Range<std::uint32_t> kThresholdRange{1, 100};
constexpr std::array<std::string_view, 2> kHealthTypes = {"http", "tcp"};
// Keys that only mean something for an HTTP check; with none of them and no type, it is TCP.
constexpr std::array<std::string_view, 3> kHttpOnlyKeys = {"path", "host", "expect"};

void read_path(TableReader& r, std::string_view key, HealthCheck& check) {
  std::string path;
  if (!r.read(key, path)) return;
  if (auto problem = health_path_problem(path)) return r.fail_at(key, *problem);
  check.path = std::move(path);
}

void read_host(TableReader& r, HealthCheck& check) {
  std::string host;
  if (!r.read("host", host)) return;
  if (auto problem = health_host_problem(host)) return r.fail_at("host", *problem);
  check.host = std::move(host);
}

void read_expect(TableReader& r, HealthCheck& check) {
  const toml::node* node = r.table().get("expect");
  if (!node) return;
  std::string text;
  if (auto* status = node->as_integer()) text = std::to_string(status->get());
  else if (auto* range = node->as_string()) text = range->get();
  else return r.fail_at("expect", "must be a status such as 200 or a range such as \"200-299\"");
  auto range = parse_status_range(text);
  if (!range) return r.fail_value(r.line_of("expect"), "expect", range.error());
  check.expect_min = range->first;
  check.expect_max = range->second;
}

// The first HTTP-only key in the file, so an error points at the line to change.
std::optional<std::string_view> first_http_key(const TableReader& r) {
  std::optional<std::string_view> first;
  for (auto key : kHttpOnlyKeys)
    if (r.has(key) && (!first || r.line_of(key) < r.line_of(*first))) first = key;
  return first;
}

void read_type(TableReader& r, HealthCheck& check) {
  auto http_key = first_http_key(r);
  std::string type;
  if (!r.read("type", type)) {
    check.kind = http_key ? HealthCheck::Kind::http : HealthCheck::Kind::tcp;
    return;
  }
  if (!r.check_choice("type", type, kHealthTypes)) return;
  check.kind = type == "http" ? HealthCheck::Kind::http : HealthCheck::Kind::tcp;
  if (check.kind == HealthCheck::Kind::tcp && http_key)
    r.fail_at(*http_key, "is only for an HTTP check (type = \"http\"), not type = \"tcp\"");
}

void read_health_table(TableReader& r, HealthCheck& check) {
  r.allow_only({"type", "path", "host", "expect", "interval", "timeout", "healthy_threshold",
                "unhealthy_threshold", "startup_interval"});
  read_type(r, check);
  read_path(r, "path", check);
  read_host(r, check);
  read_expect(r, check);
  r.read_duration("interval", check.interval);
  r.read_duration("timeout", check.timeout);
  r.read("healthy_threshold", check.healthy_threshold, kThresholdRange);
  r.read("unhealthy_threshold", check.unhealthy_threshold, kThresholdRange);
  r.read_duration("startup_interval", check.startup_interval);
}
}  // namespace

void read_health(TableReader& service, ServiceConfig& out) {
  if (!service.has("health")) return;
  out.health_configured = true;
  const toml::node& node = *service.table().get("health");
  if (node.is_string()) {
    // The shorthand: `health = "/healthz"`.
    out.health.kind = HealthCheck::Kind::http;
    return read_path(service, "health", out.health);
  }
  if (!node.is_table())
    return service.fail_at("health", "must be a path such as \"/healthz\" or a table of "
                                     "check settings");
  if (auto table = service.child("health")) read_health_table(*table, out.health);
}
}  // namespace baton::config_detail
