// GET /v1/services/NAME/describe: the service's spec, environment (secrets as "***"), releases,
// instances with their recent exits and health changes, and the deploy in progress.
#include <signal.h>
#include <string.h>

#include <ctime>

#include "app/api_json.hpp"
#include "app/service_runtime.hpp"
#include "app/status_json.hpp"
#include "base/timestamp.hpp"
#include "deploy/deployer.hpp"

namespace baton {
using nlohmann::json;

namespace {
json optional_ms(const std::optional<Millis>& value) { return value ? json(value->count()) : json(nullptr); }

template <class T>
json optional_value(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

std::string signal_text(int signal) {
  const char* name = ::sigabbrev_np(signal);
  return name ? std::string("SIG") + name : std::to_string(signal);
}

json health_json(const ServiceConfig& sc) {
  const auto& h = sc.health;
  json out{{"kind", h.kind == HealthCheck::Kind::http ? "http" : "tcp"},
           {"interval_ms", h.interval.count()},
           {"timeout_ms", h.timeout.count()},
           {"healthy_threshold", h.healthy_threshold},
           {"unhealthy_threshold", h.unhealthy_threshold}};
  if (h.kind == HealthCheck::Kind::http) out["path"] = h.path;
  return out;
}

json restart_json(const ServiceConfig& sc) {
  json out{{"autorestart", to_string(sc.restart.autorestart)},
           {"stop_exit_codes", sc.restart.stop_exit_codes},
           {"max_restarts", optional_value(sc.restart.max_restarts)},
           {"restart_window_ms", sc.restart.restart_window ? json(sc.restart.restart_window->count()) : json(nullptr)},
           {"restart_delay_ms", optional_ms(sc.restart_delay)},
           {"max_restart_delay_ms", optional_ms(sc.max_restart_delay)},
           {"cron_restart", nullptr}};
  if (sc.cron_restart) {
    out["cron_restart"] = sc.cron_restart->text();
    if (auto next = sc.cron_restart->next_after(std::time(nullptr)))
      out["cron_next"] = format_timestamp(std::chrono::system_clock::from_time_t(*next));
  }
  return out;
}

json log_files_json(const ServiceConfig& sc, const std::filesystem::path& log_dir, unsigned instances) {
  auto file = log_dir / (sc.name + ".log");
  json out = json::array();
  if (!sc.logs.per_instance) out.push_back(file.string());
  else
    for (unsigned i = 0; i < instances; ++i) out.push_back(supervisor::instance_log_path(file, i).string());
  out.push_back((log_dir / (sc.name + ".deploy.log")).string());
  return out;
}

// What runs: the live release's command, cwd and count, the rest from the service's config.
json spec_json(const ServiceConfig& sc, const deploy::ReleaseSpec& running, const std::filesystem::path& log_dir) {
  json out{{"worker", sc.worker},
           {"listen", sc.worker ? "" : sc.listen.text()},
           {"hosts", sc.hosts},
           {"path", sc.path},
           {"command", running.command},
           {"cwd", running.cwd},
           {"instances", running.size()},
           {"strategy", to_string(sc.deploy.strategy)},
           {"health", sc.worker ? json(nullptr) : health_json(sc)},  // a worker is ready by the supervisor's word
           {"stop_signal", signal_text(sc.stop_signal)},
           {"stop_timeout_ms", sc.stop_timeout.count()},
           {"max_memory", optional_value(sc.max_memory)},
           {"memory_max", optional_value(sc.memory_max)},
           {"cpu_max_millicores", optional_value(sc.cpu_max)},
           {"user", sc.user},
           {"group", sc.group},
           {"restart", restart_json(sc)},
           {"log_files", sc.managed() ? log_files_json(sc, log_dir, running.size()) : json::array()}};
  if (!sc.managed()) {
    json targets = json::array();
    for (const auto& t : running.targets) targets.push_back(t.text());
    out["targets"] = targets;
  }
  return out;
}

json exits_json(const std::vector<supervisor::ExitRecord>& exits) {
  json out = json::array();
  for (const auto& e : exits)
    out.push_back({{"time_ms", e.time_ms},
                   {"status", e.status},
                   {"uptime_ms", e.uptime.count()},
                   {"reason", supervisor::to_string(e.reason)}});
  return out;
}

json health_history_json(const std::vector<HealthChange>& changes) {
  json out = json::array();
  for (const auto& c : changes) out.push_back({{"time_ms", c.time_ms}, {"healthy", c.healthy}, {"detail", c.detail}});
  return out;
}

json releases_json(ApiContext& context, const std::string& service) {
  json out = json::array();
  const auto* live = context.deployer.live(service);
  auto standby = context.deployer.standby(service);
  for (const auto& r : *context.deployer.releases(service))
    out.push_back({{"id", r.id},
                   {"version", r.version},
                   {"status", deploy::to_string(r.status)},
                   {"created_by", r.created_by},
                   {"created_ms", r.created_ms},
                   {"live", live && live->id == r.id},
                   {"standby", r.id == standby}});
  return out;
}
}  // namespace

json describe_json(ApiContext& context, const std::string& service) {
  const auto& config = context.runtime.config();
  const auto* live = context.deployer.live(service);
  auto configured = config.services.find(service);
  std::optional<deploy::ReleaseSpec> running;
  if (live) running = live->spec;
  else if (configured != config.services.end()) running = deploy::spec_from_config(configured->second);

  json env = json::object();
  if (running)
    for (const auto& [name, value] : running->shown_env()) env[name] = value;
  json instances = json::array();
  unsigned restarts = 0;
  auto traffic = context.runtime.server().traffic();
  for (const auto& s : context.runtime.status()) {
    if (s.service != service) continue;
    auto instance = instance_json(s, context.runtime, traffic);
    instance["exits"] = exits_json(s.recent_exits);
    instance["health_history"] = health_history_json(context.runtime.health_history(s.service, s.release, s.index));
    restarts += s.restarts;
    instances.push_back(std::move(instance));
  }
  json out{{"service", service},
           {"live", live ? live->id : ""},
           {"version", live ? live->version : ""},
           {"paused", context.runtime.traffic(service).paused},
           {"spec", configured != config.services.end() && running
                        ? spec_json(configured->second, *running, context.runtime.log_dir())
                        : json(nullptr)},
           {"env", env},
           {"releases", releases_json(context, service)},
           {"instances", instances},
           {"restarts", restarts},
           {"deploy", nullptr}};
  if (auto run = context.deployer.running(service)) out["deploy"] = run_json(*run);
  return out;
}
}  // namespace baton
