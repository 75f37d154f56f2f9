#include "cli/describe_command.hpp"

#include <fmt/format.h>

#include "base/json_text.hpp"
#include "base/units.hpp"
#include "cli/api_client.hpp"
#include "cli/command_line.hpp"
#include "cli/human_units.hpp"

namespace baton::cli {
namespace {
using nlohmann::json;

// A key of the daemon's answer, null when it is missing.
const json& field(const json& object, const char* key) {
  static const json kMissing;
  return object.is_object() && object.contains(key) ? object.at(key) : kMissing;
}

std::string format_duration_ms(std::int64_t ms) { return format_duration(Millis(ms)); }

// A value the daemon may leave null (a limit not set): "-".
std::string or_dash(const json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>().empty() ? "-" : value.get<std::string>();
  return value.dump();
}

std::string ms_or_dash(const json& value) {
  return value.is_number() ? format_duration_ms(value.get<std::int64_t>()) : "-";
}

std::string joined(const json& list, std::string_view separator) {
  std::string out;
  for (const auto& item : list) {
    if (!out.empty()) out += separator;
    out += item.is_string() ? item.get<std::string>() : item.dump();
  }
  return out;
}

void add_route(std::string& out, const json& spec) {
  if (spec.value("worker", false)) {
    out += "  route        worker (no port, no route)\n";
    return;
  }
  auto hosts = spec.value("hosts", json::array());
  out += fmt::format("  route        {} hosts {} path {}\n", or_dash(field(spec, "listen")),
                     hosts.empty() ? "*" : joined(hosts, ","), spec.value("path", "/"));
  if (spec.contains("targets")) out += fmt::format("  targets      {}\n", joined(field(spec, "targets"), ", "));
}

void add_spec(std::string& out, const json& spec) {
  add_route(out, spec);
  out += fmt::format("  command      {}\n", joined(spec.value("command", json::array()), " "));
  out += fmt::format("  cwd          {}\n", or_dash(field(spec, "cwd")));
  out += fmt::format("  instances    {} ({})\n", spec.value("instances", 0u), spec.value("strategy", ""));
  const auto& h = field(spec, "health");
  if (h.is_null()) out += "  health       none (a worker: ready after min_uptime, or at READY=1 with notify)\n";
  else out += fmt::format("  health       {}{} every {}, timeout {}\n", h.value("kind", ""),
                     h.contains("path") ? " " + h.value("path", "") : "", ms_or_dash(field(h, "interval_ms")),
                     ms_or_dash(field(h, "timeout_ms")));
  out += fmt::format("  stop         {}, then SIGKILL after {}\n", spec.value("stop_signal", ""),
                     ms_or_dash(field(spec, "stop_timeout_ms")));
  out += fmt::format("  limits       max_memory {} memory_max {} cpu_max {} user {} group {}\n",
                     or_dash(field(spec, "max_memory")), or_dash(field(spec, "memory_max")), or_dash(field(spec, "cpu_max_millicores")),
                     or_dash(field(spec, "user")), or_dash(field(spec, "group")));
  const auto& r = field(spec, "restart");
  auto codes = r.value("stop_exit_codes", json::array());
  auto window = field(r, "restart_window_ms");
  out += fmt::format("  restart      autorestart {}, stop_exit_codes {}, max_restarts {} {}\n",
                     r.value("autorestart", ""), codes.empty() ? "-" : joined(codes, ","),
                     or_dash(field(r, "max_restarts")),
                     window.is_null() ? "in a row after short runs" : "within " + ms_or_dash(window));
  out += fmt::format("               restart_delay {}, max_restart_delay {}\n", ms_or_dash(field(r, "restart_delay_ms")),
                     ms_or_dash(field(r, "max_restart_delay_ms")));
  if (!field(r, "cron_restart").is_null())
    out += fmt::format("  cron_restart \"{}\", next at {}\n", r.value("cron_restart", ""), r.value("cron_next", "-"));
  out += fmt::format("  logs         {}\n", joined(spec.value("log_files", json::array()), ", "));
}

void add_releases(std::string& out, const json& releases) {
  out += "releases:\n";
  for (const auto& r : releases) {
    std::string mark = r.value("live", false) ? "live" : r.value("standby", false) ? "standby" : r.value("status", "");
    out += fmt::format("  {:<6} {:<20} {:<11} by {:<12} {}\n", r.value("id", ""), r.value("version", ""), mark,
                       r.value("created_by", ""), time_text(r.value("created_ms", std::int64_t{0})));
  }
}

void add_instance(std::string& out, const json& i) {
  out += fmt::format("  #{} {} pid {} port {} {}{}{} uptime {} restarts {} cpu {} rss {} requests {} errors {}\n",
                     i.value("instance", 0u), i.value("release", ""), i.value("pid", 0),
                     i.value("port", 0u) == 0 ? "-" : std::to_string(i.value("port", 0u)), i.value("state", ""),
                     i.value("ready", false) ? " ready" : "", i.value("healthy", false) ? " healthy" : "",
                     human_duration(i.value("uptime_ms", std::int64_t{0})), i.value("restarts", 0u),
                     human_duration(i.value("cpu_ms", std::int64_t{0})), human_bytes(i.value("rss_bytes", std::uint64_t{0})),
                     i.value("requests", std::uint64_t{0}), i.value("errors", std::uint64_t{0}));
  if (!i.value("last_error", "").empty()) out += fmt::format("     last error: {}\n", i.value("last_error", ""));
  auto exits = i.value("exits", json::array());
  if (!exits.empty()) out += "     last exits:\n";
  for (const auto& e : exits)
    out += fmt::format("       {} {} after {} (reason: {})\n", time_text(e.value("time_ms", std::int64_t{0})),
                       e.value("status", ""), format_duration_ms(e.value("uptime_ms", std::int64_t{0})),
                       e.value("reason", ""));
  auto health = i.value("health_history", json::array());
  if (!health.empty()) out += "     health changes:\n";
  for (const auto& h : health)
    out += fmt::format("       {} {} {}\n", time_text(h.value("time_ms", std::int64_t{0})),
                       h.value("healthy", false) ? "healthy  " : "unhealthy", h.value("detail", ""));
}
}  // namespace

std::string describe_text(const json& d) {
  std::string out = fmt::format("{}: live {} ({}){}\n", d.value("service", ""), or_dash(field(d, "live")),
                                d.value("version", ""), d.value("paused", false) ? ", PAUSED (requests wait)" : "");
  if (field(d, "spec").is_object()) add_spec(out, field(d, "spec"));
  out += "env:\n";
  auto env = d.value("env", json::object());
  for (const auto& [name, value] : env.items())
    out += fmt::format("  {}={}\n", name, value.is_string() ? value.get<std::string>() : value.dump());
  add_releases(out, d.value("releases", json::array()));
  out += "instances:\n";
  for (const auto& i : d.value("instances", json::array())) add_instance(out, i);
  out += fmt::format("restarts: {}\n", d.value("restarts", 0u));
  if (field(d, "deploy").is_object()) {
    const auto& run = field(d, "deploy");
    out += fmt::format("deploy in progress: {} of {} ({}, {}s): {}\n", run.value("kind", ""), run.value("release", ""),
                       run.value("strategy", ""), run.value("elapsed_ms", 0) / 1000,
                       run.contains("last_event") ? field(run, "last_event").value("message", "") : "");
  } else {
    out += "deploy in progress: none\n";
  }
  return out;
}

int run_describe(const DescribeCommand& command) {
  auto reply = call_api(command.home, "GET", "/v1/services/" + command.service + "/describe");
  if (!reply) {
    fmt::print(stderr, "baton: {}\n", reply.error().message);
    return reply.error().unreachable ? kUnreachable : kFailed;
  }
  try {
    auto body = json::parse(reply->body);
    if (reply->status == 404) {
      fmt::print(stderr, "baton: {}\n", body.value("error", "no service named '" + command.service + "'"));
      return kUsage;
    }
    if (reply->status != 200) {
      fmt::print(stderr, "baton: the daemon answered {}: {}\n", reply->status, reply->body);
      return kFailed;
    }
    if (command.json) fmt::print("{}\n", json_text(body));
    else fmt::print("{}", describe_text(body));
  } catch (const json::exception& e) {
    fmt::print(stderr, "baton: unexpected answer from the daemon: {}\n", e.what());
    return kFailed;
  }
  return kOk;
}
}  // namespace baton::cli
