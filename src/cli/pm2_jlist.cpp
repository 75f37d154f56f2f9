// `pm2 jlist` output as an ecosystem: PM2 keeps each process's options in pm2_env, among runtime
// fields and every default, with the environment of the shell that started PM2 in pm2_env.env.
#include <fmt/format.h>

#include <array>
#include <set>
#include <utility>

#include "cli/pm2_import.hpp"

namespace baton::cli {
namespace {
using nlohmann::json;

// Options a process was started with, copied unless they hold PM2's default.
constexpr auto kAppOptions = std::to_array<std::string_view>({
    "args", "node_args", "interpreter_args", "instances", "exec_mode", "max_memory_restart", "kill_timeout",
    "min_uptime", "autorestart", "max_restarts", "restart_delay", "exp_backoff_restart_delay", "cron_restart",
    "stop_exit_codes", "merge_logs", "watch", "ignore_watch", "watch_delay", "uid", "gid", "wait_ready",
    "listen_timeout", "out_file", "error_file", "log_file", "log_date_format", "time", "log_type", "namespace",
    "instance_var", "increment_var", "vizion", "treekill", "pmx", "automation", "autostart", "windowsHide",
    "kill_retry_time", "shutdown_with_message", "source_map_support", "disable_source_map_support", "force",
    "filter_env", "append_env_to_name"});

// What PM2 records for an option nobody set: not worth a line in the imported file.
json pm2_defaults() {
  return json{{"autorestart", true},   {"watch", false},        {"vizion", true},
              {"treekill", true},      {"pmx", true},           {"automation", true},
              {"autostart", true},     {"windowsHide", true},   {"kill_timeout", 1600},
              {"kill_retry_time", 100}, {"instance_var", "NODE_APP_INSTANCE"}, {"namespace", "default"},
              {"exec_mode", "fork_mode"}, {"instances", 1},     {"max_restarts", 16},
              {"min_uptime", 1000},    {"restart_delay", 0},    {"wait_ready", false},
              {"time", false},         {"force", false},        {"shutdown_with_message", false},
              {"disable_source_map_support", false}, {"source_map_support", true},
              {"append_env_to_name", false}, {"merge_logs", false}};
}

// Variables of the shell (and of PM2 itself) that PM2 copies into every process's env.
bool is_inherited_variable(std::string_view name, std::string_view app_name) {
  constexpr auto kExact = std::to_array<std::string_view>({
      "PATH", "HOME", "USER", "LOGNAME", "SHELL", "PWD", "OLDPWD", "SHLVL", "TERM", "LANG", "LANGUAGE", "_",
      "MAIL", "HOSTNAME", "TMPDIR", "DISPLAY", "COLORTERM", "LS_COLORS", "LESSOPEN", "LESSCLOSE", "EDITOR",
      "VISUAL", "PAGER", "MOTD_SHOWN", "MANPATH", "INFOPATH", "NODE_APP_INSTANCE", "unique_id", "HISTSIZE",
      "HISTFILESIZE", "INVOCATION_ID"});
  constexpr auto kPrefixes = std::to_array<std::string_view>({"LC_", "XDG_", "SSH_", "DBUS_", "SUDO_", "NVM_",
                                                           "PM2_", "pm_", "TERM_", "JOURNAL_"});
  if (name == app_name) return true;  // PM2 keeps a copy of the app's options under its name
  for (auto exact : kExact)
    if (name == exact) return true;
  for (auto prefix : kPrefixes)
    if (name.starts_with(prefix)) return true;
  return false;
}

// Set by PM2 itself: not worth naming among the left-out variables.
bool is_pm2_variable(std::string_view name, std::string_view app_name) {
  return name == app_name || name == "unique_id" || name == "NODE_APP_INSTANCE" || name.starts_with("PM2_") ||
         name.starts_with("pm_");
}

json app_from_process(const json& process, std::set<std::string>& left_out) {
  const json& env = process["pm2_env"];
  json app = json::object();
  app["name"] = process.contains("name") ? process["name"] : env.value("name", json("app"));
  if (env.contains("pm_exec_path")) app["script"] = env["pm_exec_path"];
  if (env.contains("pm_cwd")) app["cwd"] = env["pm_cwd"];
  if (env.contains("exec_interpreter")) app["interpreter"] = env["exec_interpreter"];
  auto defaults = pm2_defaults();
  for (auto option : kAppOptions) {
    auto found = env.find(std::string(option));
    if (found == env.end() || found->is_null() || (found->is_array() && found->empty())) continue;
    if (defaults.contains(option) && defaults[std::string(option)] == *found) continue;
    app[std::string(option)] = *found;
  }
  if (app.contains("exec_mode") && app["exec_mode"] == "cluster_mode") app["exec_mode"] = "cluster";
  auto app_name = app["name"].is_string() ? app["name"].get<std::string>() : std::string();
  json variables = json::object();
  if (env.contains("env") && env["env"].is_object()) {
    for (const auto& [name, value] : env["env"].items()) {
      if (!is_inherited_variable(name, app_name)) variables[name] = value;
      else if (!is_pm2_variable(name, app_name)) left_out.insert(name);
    }
  }
  if (!variables.empty()) app["env"] = variables;
  return app;
}
}  // namespace

std::expected<json, std::string> ecosystem_from_jlist(const json& jlist) {
  if (!jlist.is_array()) return std::unexpected("not the output of 'pm2 jlist': expected an array of processes");
  json apps = json::array();
  std::set<std::string> seen;
  std::set<std::string> left_out;
  for (std::size_t index = 0; index < jlist.size(); ++index) {
    const auto& process = jlist[index];
    if (!process.is_object() || !process.contains("pm2_env") || !process["pm2_env"].is_object())
      return std::unexpected(fmt::format("process {} of the jlist has no pm2_env object", index));
    auto app = app_from_process(process, left_out);
    // Cluster mode lists each instance of an app; the options are the same. A name that is not
    // UTF-8 (a jlist is bytes from outside) is compared in its replaced form, never thrown over.
    if (!seen.insert(app["name"].dump(-1, ' ', false, json::error_handler_t::replace)).second) continue;
    apps.push_back(std::move(app));
  }
  json ecosystem{{"apps", apps}};
  if (!left_out.empty()) {
    std::string names;
    for (const auto& name : left_out) names += (names.empty() ? "" : ", ") + name;
    ecosystem["jlist_left_out"] = names;
  }
  return ecosystem;
}
}  // namespace baton::cli
