#include "app/release_codec.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "base/json_text.hpp"
#include "config/canary_rules.hpp"

namespace baton {
namespace {
using nlohmann::json;
constexpr std::uint64_t kMaxStoredCount = 1000;

json hook_json(const HookCommand& hook) { return json{{"command", hook.command}, {"shell", hook.is_shell_string}}; }

void read_hook(const json& in, HookCommand& hook) {
  if (!in.is_object()) return;
  hook.command = in.value("command", hook.command);
  hook.is_shell_string = in.value("shell", hook.is_shell_string);
}

// Checks throw: spec_from_json turns any of them into one error for the whole spec.
void read_millis(const json& in, const char* key, Millis& value) {
  if (!in.contains(key)) return;
  if (!in[key].is_number_integer() || in[key].get<std::int64_t>() < 0)
    throw std::invalid_argument(std::string(key) + " must be a non-negative whole number");
  value = Millis(in[key].get<std::int64_t>());
}

// A count as the state file keeps it: 0 to 1000 (a stopped service runs 0 instances).
unsigned read_count(const json& in, const char* key, unsigned fallback) {
  if (!in.contains(key)) return fallback;
  if (!in[key].is_number_unsigned() || in[key].get<std::uint64_t>() > kMaxStoredCount)
    throw std::invalid_argument(std::string(key) + " must be a whole number from 0 to 1000");
  return in[key].get<unsigned>();
}

json health_json(const HealthCheck& h) {
  return json{{"kind", h.kind == HealthCheck::Kind::http ? "http" : "tcp"},
              {"path", h.path},
              {"host", h.host},
              {"expect_min", h.expect_min},
              {"expect_max", h.expect_max},
              {"interval_ms", h.interval.count()},
              {"timeout_ms", h.timeout.count()},
              {"healthy_threshold", h.healthy_threshold},
              {"unhealthy_threshold", h.unhealthy_threshold},
              {"startup_interval_ms", h.startup_interval.count()}};
}

void read_health(const json& in, HealthCheck& h) {
  if (!in.is_object()) return;
  h.kind = in.value("kind", std::string("tcp")) == "http" ? HealthCheck::Kind::http : HealthCheck::Kind::tcp;
  h.path = in.value("path", h.path);
  h.host = in.value("host", h.host);
  h.expect_min = read_count(in, "expect_min", h.expect_min);
  h.expect_max = read_count(in, "expect_max", h.expect_max);
  read_millis(in, "interval_ms", h.interval);
  read_millis(in, "timeout_ms", h.timeout);
  h.healthy_threshold = read_count(in, "healthy_threshold", h.healthy_threshold);
  h.unhealthy_threshold = read_count(in, "unhealthy_threshold", h.unhealthy_threshold);
  read_millis(in, "startup_interval_ms", h.startup_interval);
}

json deploy_json(const DeployConfig& d) {
  return json{{"strategy", to_string(d.strategy)},
              {"max_surge", d.max_surge},
              {"standby_ttl_ms", d.standby_ttl.count()},
              {"drain_timeout_ms", d.drain_timeout.count()},
              {"deploy_timeout_ms", d.deploy_timeout.count()},
              {"max_pause_ms", d.max_pause.count()},
              {"max_paused_requests", d.max_paused_requests},
              {"version_affinity", d.version_affinity},
              {"pre_deploy", hook_json(d.pre_deploy)},
              {"smoke", hook_json(d.smoke)},
              {"post_deploy", hook_json(d.post_deploy)},
              {"hook_timeout_ms", d.hook_timeout.count()},
              {"build", hook_json(d.build)},
              {"build_timeout_ms", d.build_timeout.count()},
              {"keep", d.keep},
              {"shared", d.shared},
              {"canary", json{{"steps", d.canary.steps},
                              {"interval_ms", d.canary.interval.count()},
                              {"max_error_rate", d.canary.max_error_rate},
                              {"max_p99_ratio", d.canary.max_p99_ratio},
                              {"p99_floor_ms", d.canary.p99_floor.count()},
                              {"min_requests", d.canary.min_requests},
                              {"max_extensions", d.canary.max_extensions},
                              {"pass_when_quiet", d.canary.pass_when_quiet},
                              {"pause_at", d.canary.pause_at ? json(*d.canary.pause_at) : json()}}},
              {"watch_ms", d.watch.count()}};
}

// Records written before canaries keep the defaults.
void read_canary(const json& in, CanaryConfig& c) {
  if (!in.is_object()) return;
  std::vector<unsigned> steps;
  for (const auto& step : in.value("steps", json::array()))
    if (step.is_number_unsigned()) steps.push_back(step.get<unsigned>());
  if (check_canary_steps(steps)) c.steps = std::move(steps);
  read_millis(in, "interval_ms", c.interval);
  c.max_error_rate = in.value("max_error_rate", c.max_error_rate);
  c.max_p99_ratio = in.value("max_p99_ratio", c.max_p99_ratio);
  read_millis(in, "p99_floor_ms", c.p99_floor);
  c.min_requests = read_count(in, "min_requests", c.min_requests);
  c.max_extensions = read_count(in, "max_extensions", c.max_extensions);
  c.pass_when_quiet = in.value("pass_when_quiet", c.pass_when_quiet);
  if (auto pause = in.find("pause_at"); pause != in.end() && pause->is_number_unsigned())
    c.pause_at = pause->get<unsigned>();
}

std::expected<void, std::string> read_deploy(const json& in, DeployConfig& d) {
  if (!in.is_object()) return {};
  auto strategy = parse_strategy(in.value("strategy", std::string(to_string(d.strategy))));
  if (!strategy) return std::unexpected("unknown strategy " + json_text(in["strategy"]));
  d.strategy = *strategy;
  d.max_surge = read_count(in, "max_surge", d.max_surge);
  read_millis(in, "standby_ttl_ms", d.standby_ttl);
  read_millis(in, "drain_timeout_ms", d.drain_timeout);
  read_millis(in, "deploy_timeout_ms", d.deploy_timeout);
  read_millis(in, "max_pause_ms", d.max_pause);
  d.max_paused_requests = in.value("max_paused_requests", d.max_paused_requests);
  d.version_affinity = in.value("version_affinity", d.version_affinity);
  read_hook(in.value("pre_deploy", json()), d.pre_deploy);
  read_hook(in.value("smoke", json()), d.smoke);
  read_hook(in.value("post_deploy", json()), d.post_deploy);
  read_millis(in, "hook_timeout_ms", d.hook_timeout);
  read_hook(in.value("build", json()), d.build);
  read_millis(in, "build_timeout_ms", d.build_timeout);
  if (auto keep = in.find("keep"); keep != in.end() && keep->is_number_unsigned() && keep->get<unsigned>() > 0)
    d.keep = keep->get<unsigned>();
  if (auto shared = in.find("shared"); shared != in.end() && shared->is_array())
    for (const auto& entry : *shared)
      if (entry.is_string()) d.shared.push_back(entry.get<std::string>());
  read_canary(in.value("canary", json()), d.canary);
  read_millis(in, "watch_ms", d.watch);
  return {};
}

std::expected<deploy::ReleaseSpec, std::string> read_spec(const json& in) {
  if (!in.is_object()) return std::unexpected("the spec is not a JSON object");
  deploy::ReleaseSpec spec;
  spec.command = in.value("command", spec.command);
  spec.command_is_line = in.value("command_is_line", spec.command_is_line);
  spec.cwd = in.value("cwd", spec.cwd);
  for (const auto& pair : in.value("env", json::array())) spec.env.emplace_back(pair.at(0), pair.at(1));
  spec.secret_env = in.value("secret_env", spec.secret_env);
  spec.instances = read_count(in, "instances", spec.instances);
  for (const auto& text : in.value("targets", json::array())) {
    auto address = parse_address(text.get<std::string>());
    if (!address) return std::unexpected("bad target " + json_text(text) + ": " + address.error());
    spec.targets.push_back(*address);
  }
  spec.trust_targets = in.value("trust_targets", spec.trust_targets);
  read_health(in.value("health", json()), spec.health);
  if (auto read = read_deploy(in.value("deploy", json()), spec.deploy); !read) return std::unexpected(read.error());
  if (spec.command.empty() && spec.targets.empty()) return std::unexpected("the spec has neither command nor targets");
  return spec;
}
}  // namespace

// Secrets are masked: their values are kept in the home's secret files (app/release_secrets.hpp).
json spec_to_json(const deploy::ReleaseSpec& spec) {
  json env = json::array();
  for (const auto& [k, v] : spec.shown_env()) env.push_back(json::array({k, v}));
  json targets = json::array();
  for (const auto& t : spec.targets) targets.push_back(t.text());
  return json{{"command", spec.command},          {"command_is_line", spec.command_is_line},
              {"cwd", spec.cwd},                  {"env", env}, {"secret_env", spec.secret_env},
              {"instances", spec.instances},      {"targets", targets},
              {"trust_targets", spec.trust_targets}, {"health", health_json(spec.health)},
              {"deploy", deploy_json(spec.deploy)}};
}

// A value of the wrong type anywhere is one clear error, never a half-read spec.
std::expected<deploy::ReleaseSpec, std::string> spec_from_json(const json& in) {
  try {
    return read_spec(in);
  } catch (const std::exception& e) {
    return std::unexpected(std::string("the spec does not read: ") + e.what());
  }
}

state::ReleaseRecord to_record(const std::string& service, const deploy::Release& release) {
  return state::ReleaseRecord{
      .id = release.id,
      .service = service,
      .version = release.version,
      .spec_json = json_text(spec_to_json(release.spec)),
      .created_by = release.created_by,
      .created_at = state::Timestamp(std::chrono::milliseconds(release.created_ms)),
      .status = state::parse_release_status(deploy::to_string(release.status)).value_or(state::ReleaseStatus::failed),
      .reason = release.reason};
}

std::expected<deploy::Release, std::string> from_record(const state::ReleaseRecord& record) {
  auto where = fmt::format("release {} of '{}'", record.id, record.service);
  auto parsed = json::parse(record.spec_json, nullptr, false);
  if (parsed.is_discarded()) return std::unexpected(where + ": its spec is not JSON");
  auto spec = spec_from_json(parsed);
  if (!spec) return std::unexpected(where + ": " + spec.error());
  auto status = deploy::parse_release_status(state::to_string(record.status));
  if (!status) return std::unexpected(where + ": unknown status");
  return deploy::Release{.id = record.id,
                         .version = record.version,
                         .spec = std::move(*spec),
                         .status = *status,
                         .created_ms = record.created_at.time_since_epoch().count(),
                         .created_by = record.created_by,
                         .reason = record.reason};
}
}  // namespace baton
