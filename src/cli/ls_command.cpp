#include "cli/ls_command.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "cli/api_client.hpp"
#include "cli/command_line.hpp"
#include "cli/human_units.hpp"

namespace baton::cli {
namespace {
// A worker has no port.
std::string port_text(unsigned port) { return port == 0 ? "-" : std::to_string(port); }

// One line per service: its live release, a warm standby, a pause, a deploy in progress.
void print_services(const nlohmann::json& status) {
  if (!status.contains("services")) return;
  for (const auto& s : status.at("services")) {
    std::string line = fmt::format("{}: live {} ({})", s.value("name", ""), s.value("live", "-"), s.value("version", ""));
    if (!s.value("standby", "").empty()) line += ", standby " + s.value("standby", "");
    if (s.value("paused", false)) line += ", PAUSED (requests wait)";
    if (s.contains("deploy")) {
      const auto& d = s.at("deploy");
      line += fmt::format(", {} of {} running ({}, {}s): {}", d.value("kind", ""), d.value("release", ""),
                          d.value("strategy", ""), d.value("elapsed_ms", 0) / 1000,
                          d.contains("last_event") ? d.at("last_event").value("message", "") : "");
    }
    fmt::print("{}\n", line);
  }
  fmt::print("\n");
}

void print_table(const nlohmann::json& status) {
  print_services(status);
  fmt::print("{:<16} {:>4} {:<6} {:>8} {:>6} {:<11} {:>7} {:>8} {:>7} {:>8} {:>9} {:>8}\n", "SERVICE", "#", "REL",
             "PID", "PORT", "STATE", "UPTIME", "RESTARTS", "CPU", "RSS", "REQUESTS", "INFLIGHT");
  for (const auto& i : status.at("instances")) {
    fmt::print("{:<16} {:>4} {:<6} {:>8} {:>6} {:<11} {:>7} {:>8} {:>7} {:>8} {:>9} {:>8}\n",
               i.at("service").get<std::string>(), i.at("instance").get<unsigned>(), i.value("release", ""),
               i.at("pid").get<int>(),
               port_text(i.at("port").get<unsigned>()), i.at("state").get<std::string>(),
               human_duration(i.at("uptime_ms").get<std::int64_t>()), i.at("restarts").get<unsigned>(),
               human_duration(i.at("cpu_ms").get<std::int64_t>()), human_bytes(i.at("rss_bytes").get<std::uint64_t>()),
               i.at("requests").get<std::uint64_t>(), i.at("in_flight").get<std::int64_t>());
  }
  // Instances the restart policy leaves stopped: say why, and what brings them back.
  for (const auto& i : status.at("instances")) {
    auto state = i.at("state").get<std::string>();
    if (state != "exited" && state != "errored") continue;
    fmt::print("{}#{} {}: {} ('baton restart {}' starts it again)\n", i.at("service").get<std::string>(),
               i.at("instance").get<unsigned>(), state, i.value("last_error", ""), i.at("service").get<std::string>());
  }
}
}  // namespace

namespace {
// Keeps only `service`'s entries; false when the daemon has no such service.
bool keep_only(nlohmann::json& status, const std::string& service) {
  auto named = [&](const nlohmann::json& entry, const char* key) { return entry.value(key, "") == service; };
  bool known = false;
  for (const auto& s : status["services"]) known = known || named(s, "name");
  for (const char* list : {"services", "instances"}) {
    auto& entries = status[list];
    const char* key = std::string_view(list) == "services" ? "name" : "service";
    for (auto it = entries.begin(); it != entries.end();) it = named(*it, key) ? it + 1 : entries.erase(it);
  }
  return known;
}
}  // namespace

int run_ls(const std::string& home, bool json, const std::string& service) {
  auto reply = call_api(home, "GET", "/v1/status");
  if (!reply) {
    fmt::print(stderr, "baton: {}\n", reply.error().message);
    return reply.error().unreachable ? kUnreachable : kFailed;
  }
  if (reply->status != 200) {
    fmt::print(stderr, "baton: the daemon answered {}: {}\n", reply->status, reply->body);
    return kFailed;
  }
  try {
    auto status = nlohmann::json::parse(reply->body);
    if (!service.empty() && !keep_only(status, service)) {
      fmt::print(stderr, "baton: no service named '{}' (see 'baton ls')\n", service);
      return kUsage;
    }
    if (json) fmt::print("{}\n", json_text(status));
    else print_table(status);
  } catch (const nlohmann::json::exception& e) {
    fmt::print(stderr, "baton: unexpected answer from the daemon: {}\n", e.what());
    return kFailed;
  }
  return kOk;
}
}  // namespace baton::cli
