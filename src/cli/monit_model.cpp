#include "cli/monit_model.hpp"

#include <fmt/format.h>

#include "cli/human_units.hpp"

namespace baton::cli {
namespace {
using nlohmann::json;

std::string deploy_text(const json& run) {
  std::string text = fmt::format("{} {} ({})", run.value("kind", ""), run.value("release", ""), run.value("strategy", ""));
  if (run.contains("last_event") && run["last_event"].is_object()) {
    const auto& event = run["last_event"];
    if (event.value("total", 0u) > 0) text += fmt::format(" {}/{} ready", event.value("ready", 0u), event.value("total", 0u));
    text += ": " + event.value("message", "");
  }
  return text;
}

std::string rate_text(const std::optional<double>& rate, const char* suffix) {
  return rate ? fmt::format("{:.1f}{}", *rate, suffix) : "-";
}

constexpr const char* kInstanceColumns = "{:<16} {:>3} {:<6} {:>8} {:<10} {:<9} {:>7} {:>8} {:>8} {:>7} {:>8}";
}  // namespace

MonitModel MonitSampler::sample(const json& status, Clock::time_point now, std::string clock) {
  MonitModel model;
  model.home = home_;
  model.clock = std::move(clock);
  model.reachable = true;
  for (const auto& s : status.value("services", json::array())) {
    MonitService service;
    service.name = s.value("name", "");
    service.live = s.value("live", "");
    service.version = s.value("version", "");
    service.paused = s.value("paused", false);
    if (s.contains("deploy") && s["deploy"].is_object() && !s["deploy"].value("finished", false))
      service.deploy = deploy_text(s["deploy"]);
    model.services.push_back(std::move(service));
  }
  std::map<std::string, Previous> seen;
  for (const auto& i : status.value("instances", json::array())) {
    MonitInstance row;
    row.service = i.value("service", "");
    row.release = i.value("release", "");
    row.index = i.value("instance", 0u);
    row.pid = i.value("pid", 0);
    row.state = i.value("state", "");
    row.healthy = i.value("healthy", false);
    row.rss_bytes = i.value("rss_bytes", std::uint64_t{0});
    row.errors = i.value("errors", std::uint64_t{0});
    row.restarts = i.value("restarts", 0u);
    Previous now_seen{row.pid, i.value("cpu_ms", std::int64_t{0}), i.value("requests", std::uint64_t{0}), now};
    auto key = fmt::format("{}@{}#{}", row.service, row.release, row.index);
    auto before = previous_.find(key);
    if (before != previous_.end() && now > before->second.at) {
      double seconds = std::chrono::duration<double>(now - before->second.at).count();
      // Another process in the slot: its CPU time starts from zero.
      if (row.pid != 0 && row.pid == before->second.pid && now_seen.cpu_ms >= before->second.cpu_ms)
        row.cpu_percent = (now_seen.cpu_ms - before->second.cpu_ms) / 10.0 / seconds;
      if (now_seen.requests >= before->second.requests)
        row.requests_per_second = (now_seen.requests - before->second.requests) / seconds;
    }
    seen[key] = now_seen;
    model.instances.push_back(std::move(row));
  }
  previous_ = std::move(seen);
  return model;
}

MonitModel MonitSampler::unreachable(std::string problem, std::string clock) {
  previous_.clear();
  MonitModel model;
  model.home = home_;
  model.clock = std::move(clock);
  model.problem = std::move(problem);
  return model;
}

std::vector<std::string> render_monit(const MonitModel& model, unsigned width, unsigned height) {
  std::vector<std::string> lines;
  lines.push_back(fmt::format("baton monit  {}  {}  (q quits)", model.home, model.clock));
  if (!model.reachable) {
    lines.push_back("");
    lines.push_back("DAEMON UNREACHABLE: " + model.problem);
    lines.push_back("retrying every second...");
  } else {
    lines.push_back("");
    lines.push_back(fmt::format("{:<16} {:<20} {}", "SERVICE", "LIVE", "DEPLOY IN PROGRESS"));
    for (const auto& s : model.services)
      lines.push_back(fmt::format("{:<16} {:<20} {}{}", s.name, s.live.empty() ? "-" : s.live + " (" + s.version + ")",
                                  s.deploy.empty() ? "-" : s.deploy, s.paused ? "  PAUSED" : ""));
    lines.push_back("");
    lines.push_back(fmt::format(fmt::runtime(kInstanceColumns), "SERVICE", "#", "REL", "PID", "STATE", "HEALTH", "CPU%",
                                "RSS", "REQ/S", "ERRORS", "RESTARTS"));
    for (const auto& i : model.instances)
      lines.push_back(fmt::format(fmt::runtime(kInstanceColumns), i.service, i.index, i.release,
                                  i.pid == 0 ? "-" : std::to_string(i.pid), i.state,
                                  i.healthy ? "healthy" : "-", rate_text(i.cpu_percent, "%"), human_bytes(i.rss_bytes),
                                  rate_text(i.requests_per_second, ""), i.errors, i.restarts));
    if (model.instances.empty()) lines.push_back("(no instances)");
  }
  if (height > 0 && lines.size() > height) {
    auto hidden = lines.size() - height + 1;
    lines.resize(height - 1);
    lines.push_back(fmt::format("... {} more lines (a taller terminal shows them)", hidden));
  }
  if (height == 0) lines.clear();
  for (auto& line : lines)
    if (line.size() > width) line.resize(width);
  return lines;
}
}  // namespace baton::cli
