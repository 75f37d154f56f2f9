#include "cli/service_args.hpp"

#include <CLI/CLI.hpp>
#include <string_view>

namespace baton::cli {
namespace {
constexpr unsigned kMaxInstances = 1000;

// `baton start NAME [OPTIONS] -- CMD` options that are config keys of the new service, PM2's names
// spelled as Baton's keys: the value goes to the daemon as it is, and its config loader checks it.
struct KeyOption {
  const char* key;
  const char* flag;
  const char* help;
};
constexpr KeyOption kKeyOptions[] = {
    {"user", "--user", "New service: run its instances as this user (the daemon must be root)"},
    {"group", "--group", "New service: and this group"},
    {"max_memory", "--max-memory", "New service: restart (drained first) an instance whose process group grows past this, e.g. 512m"},
    {"memory_max", "--memory-max", "New service: the cgroup memory.max of each instance, e.g. 1GiB"},
    {"cpu_max", "--cpu-max", "New service: the cgroup cpu.max of each instance, e.g. 50% or 1.5"},
    {"stop_signal", "--stop-signal", "New service: the signal that stops an instance (default TERM)"},
    {"stop_timeout", "--stop-timeout", "New service: then SIGKILL after this, e.g. 30s (default 10s)"},
    {"min_uptime", "--min-uptime", "New service: a run this long counts as started, e.g. 2s"},
    {"autorestart", "--autorestart", "New service: always (default), on-failure or never"},
    {"restart_window", "--restart-window", "New service: the window --max-restarts counts in (default 1m)"},
    {"restart_delay", "--restart-delay", "New service: the first restart's delay after a short run, e.g. 500ms"},
    {"max_restart_delay", "--max-restart-delay", "New service: the most the restart delay grows to, e.g. 15s"},
    {"cron_restart", "--cron-restart", "New service: restart it on this cron schedule, e.g. \"0 3 * * *\""},
};
}  // namespace

ServiceArgs::ServiceArgs(CLI::App& app, const std::string& home) {
  actions_.reserve(5);
  settings_.reserve(std::size(kKeyOptions));  // CLI11 keeps pointers into it
  add(app, home, "scale", "Run N instances of the live release (new ones join once healthy, leaving ones drain)");
  add(app, home, "stop", "Stop a service's instances (they drain first); requests get 503 until 'baton start'");
  add(app, home, "start",
      "Start a stopped service again (the config's count, or -i N); with -- CMD, register and start a new one");
  add(app, home, "restart", "Replace every instance without downtime (a rolling deploy of the live release)");
  add(app, home, "delete", "Stop and forget a service registered with 'baton start NAME -- CMD' (it drains first)");
  apply_args_.home = home;
  apply_ = app.add_subcommand("apply", "Validate a whole config file and bring the daemon to it (start, change, remove)");
  apply_->add_option("file", apply_args_.path, "TOML configuration file")->required();
  apply_->add_flag("--json", apply_json_, "Print the events as JSON lines");
  apply_->add_option("--home", apply_args_.home, "The daemon's home directory");
  shutdown_args_.home = home;
  shutdown_ = app.add_subcommand("shutdown",
                                  "Stop the daemon gracefully; its apps keep running for the next daemon to adopt");
  shutdown_->add_option("--home", shutdown_args_.home, "The daemon's home directory");
  shutdown_->add_flag("--stop-apps", shutdown_args_.stop_apps,
                      "Stop every service's instances too (each with its stop signal and stop_timeout)");
}

void ServiceArgs::add(CLI::App& app, const std::string& home, const char* name, const char* help) {
  auto& action = actions_.emplace_back();
  action.args.home = home;
  action.args.action = name;
  action.app = app.add_subcommand(name, help);
  action.app->add_option("name", action.args.service, "Service name")->required();
  std::string_view verb = name;
  if (verb == "scale")
    action.app->add_option("instances", action.args.instances, "Instance count (0 stops the service)")
        ->required()
        ->check(CLI::Range(0u, kMaxInstances));
  if (verb == "start") {
    action.app->add_option("-i,--instances", action.args.instances, "Instance count")
        ->check(CLI::Range(1u, kMaxInstances));
    add_registration(*action.app, action.args);
    for (const auto& option : kKeyOptions) {
      auto& setting = settings_.emplace_back(Setting{option.key, {}});
      action.app->add_option(option.flag, setting.value, option.help);
    }
    action.app->add_option("--max-restarts", action.args.max_restarts,
                           "New service: more restarts than this within --restart-window leave an instance errored");
  }
  action.app->add_flag("--json", action.json, "Print the events as JSON lines");
  action.app->add_flag("--detach", action.args.detach, "Return once it has started");
  action.app->add_option("--home", action.args.home, "The daemon's home directory");
}

void ServiceArgs::add_registration(CLI::App& start, ServiceCommand& args) {
  start.add_option("--listen", args.listen, "New service: the address its clients connect to, e.g. 127.0.0.1:3000 (none: a worker)");
  start.add_option("--health", args.health, "New service: an HTTP health check path, e.g. /healthz (default: TCP)");
  start.add_option("--cwd", args.cwd, "New service: working directory (absolute)");
  start.add_option("--env", args.env, "New service: K=V (repeatable)");
  start.add_flag("--socket-activation", args.socket_activation, "New service: a pre-bound socket as fd 3");
  start.add_flag("--notify", args.notify, "New service: ready when it sends READY=1 to NOTIFY_SOCKET (systemd's protocol)");
  start.add_option("command", args.command, "New service: the command and its arguments, after --");
}

std::optional<Command> ServiceArgs::parsed(Progress (*progress)(bool json)) const {
  if (shutdown_->parsed()) return shutdown_args_;
  if (apply_->parsed()) {
    auto args = apply_args_;
    args.progress = progress(apply_json_);
    return args;
  }
  for (const auto& action : actions_) {
    if (!action.app->parsed()) continue;
    auto args = action.args;
    args.progress = progress(action.json);
    if (args.action == "start")
      for (const auto& setting : settings_)
        if (!setting.value.empty()) args.settings.emplace_back(setting.key, setting.value);
    return args;
  }
  return std::nullopt;
}
}  // namespace baton::cli
