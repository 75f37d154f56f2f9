// PM2 options beyond the command: limits, restarts, logs, the account, and notes for the rest.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <tuple>
#include <utility>

#include "base/units.hpp"
#include "cli/pm2_mapping.hpp"

namespace baton::cli::pm2_detail {
namespace {
using nlohmann::json;

constexpr std::uint64_t kMinMaxMemory = 1024 * 1024;  // Baton's least max_memory
constexpr std::string_view kBackoffCeiling = "15s";  // PM2's exp_backoff_restart_delay stops growing there

constexpr std::string_view kLogsInstead =
    "Baton keeps each service's output in HOME/logs/NAME.log, every line timestamped: "
    "baton logs NAME [--out | --err] [--json]";
constexpr std::string_view kMonitoringInstead =
    "PM2's monitoring: Baton serves its metrics as Prometheus text at GET /metrics";

// What to do instead, for the PM2 options that have no Baton key.
constexpr auto kNoEquivalent = std::to_array<std::pair<std::string_view, std::string_view>>({
    {"watch", "Baton does not restart on file changes: run 'baton deploy NAME' after a change"},
    {"ignore_watch", "only for watch, which Baton does not do: run 'baton deploy NAME' after a change"},
    {"watch_delay", "only for watch, which Baton does not do"},
    {"watch_options", "only for watch, which Baton does not do"},
    {"source_map_support", "add --enable-source-maps to the node arguments in command instead"},
    {"disable_source_map_support", "Baton adds nothing to the node arguments"},
    {"vizion", "PM2's git metadata: Baton labels releases with 'baton deploy NAME --version V'"},
    {"post_update", "commands after 'pm2 pull': use a pre_deploy hook and 'baton deploy NAME'"},
    {"force", "Baton services are named and run once each"},
    {"namespace", "Baton has no namespaces: act on services by name"},
    {"increment_var", "Baton gives each instance BATON_INSTANCE (0, 1, ...) and a PORT of its own"},
    {"instance_var", "Baton gives each instance BATON_INSTANCE (0, 1, ...) instead"},
    {"shutdown_with_message", "Baton stops an instance with stop_signal (TERM unless set), never a message"},
    {"treekill", "Baton always signals an instance's whole process group"},
    {"kill_retry_time", "Baton waits stop_timeout after the stop signal, then SIGKILLs the process group"},
    {"pmx", kMonitoringInstead},
    {"automation", kMonitoringInstead},
    {"deep_monitoring", kMonitoringInstead},
    {"trace", kMonitoringInstead},
    {"disable_trace", kMonitoringInstead},
    {"append_env_to_name", "a service keeps its name whatever its environment"},
    {"autostart", "Baton starts every service of its config: leave this app out, or 'baton stop NAME'"},
    {"wait_ready", "use notify = true (the app sends READY=1 to NOTIFY_SOCKET, as for systemd) or a "
                   "health check (health = \"/healthz\"); with listen, Baton already waits until the port accepts"},
    {"listen_timeout", "Baton waits up to deploy_timeout (2m) for new instances to be ready"},
    {"out_file", kLogsInstead},
    {"error_file", kLogsInstead},
    {"log_file", kLogsInstead},
    {"log_date_format", kLogsInstead},
    {"time", kLogsInstead},
    {"log_type", "for JSON lines: baton logs NAME --json"},
    {"disable_logs", kLogsInstead},
    {"pid_file", "baton ls NAME shows every instance's pid"},
    {"filter_env", "instances get the daemon's environment plus env: set what they need in env"},
    {"windowsHide", "Windows only"},
    {"version", "label releases with 'baton deploy NAME --version V'"},
});

// Other spellings PM2 accepts for the options above.
constexpr auto kAliases = std::to_array<std::pair<std::string_view, std::string_view>>({
    {"output", "out_file"}, {"out", "out_file"}, {"error", "error_file"}, {"err", "error_file"},
    {"log", "log_file"}, {"combine_logs", "merge_logs"}});

void map_max_memory(AppMapping& mapping) {
  const json* limit = mapping.take("max_memory_restart");
  if (!limit || limit->is_null()) return;
  std::uint64_t bytes = 0;
  TomlItem value;
  if (auto number = whole_number(*limit); number && *number > 0) {
    bytes = static_cast<std::uint64_t>(*number);
    value = *number;
  } else if (limit->is_string()) {
    // PM2's sizes: "300M", "1G", "500K" (binary multiples, as Baton's).
    auto text = limit->get<std::string>();
    std::uint64_t amount = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), amount);
    std::string unit(text.substr(static_cast<std::size_t>(end - text.data())));
    for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (unit.ends_with('b')) unit.pop_back();
    if (error == std::errc() && (unit == "k" || unit == "m" || unit == "g") && amount > 0) {
      auto parsed = parse_byte_size(fmt::format("{}{}", amount, unit));
      bytes = parsed ? *parsed : 0;
      value = fmt::format("{}{}", amount, unit);
    }
  }
  if (bytes < kMinMaxMemory) {
    mapping.note("max_memory_restart", *limit, "not a size of at least 1 MiB: not imported");
    return;
  }
  mapping.key("max_memory", value);
}

void map_duration(AppMapping& mapping, std::string_view option, std::string key) {
  const json* value = mapping.take(option);
  if (!value || value->is_null()) return;
  auto duration = duration_from_millis(*value);
  if (!duration) {
    mapping.note(option, *value, "not a duration longer than zero (PM2 counts milliseconds): not imported");
    return;
  }
  mapping.key(std::move(key), *duration);
}

void map_restart_delays(AppMapping& mapping) {
  const json* fixed = mapping.take("restart_delay");
  const json* growing = mapping.take("exp_backoff_restart_delay");
  if (growing && !growing->is_null()) {
    auto start = duration_from_millis(*growing);
    if (!start) {
      mapping.note("exp_backoff_restart_delay", *growing, "not a duration longer than zero: not imported");
    } else {
      mapping.key("restart_delay", *start, "PM2's exp_backoff_restart_delay: from this delay, doubling up to 15s");
      mapping.key("max_restart_delay", std::string(kBackoffCeiling));
      if (fixed && !fixed->is_null())
        mapping.note("restart_delay", *fixed, "exp_backoff_restart_delay wins, as in PM2");
      return;
    }
  }
  if (!fixed || fixed->is_null()) return;
  auto delay = duration_from_millis(*fixed);
  if (!delay) {
    mapping.note("restart_delay", *fixed, "0 or not a duration: Baton's default backoff (100ms doubling to 30s) applies");
    return;
  }
  mapping.key("restart_delay", *delay, "PM2's restart_delay: the same delay before every restart");
  mapping.key("max_restart_delay", *delay);
}

void map_restart_policy(AppMapping& mapping) {
  if (const json* restart = mapping.take("autorestart"); restart && restart->is_boolean()) {
    if (restart->get<bool>()) mapping.note("autorestart", *restart, "Baton restarts an instance that exits, by default");
    else mapping.key("autorestart", std::string("never"));
  } else if (restart && !restart->is_null()) {
    mapping.note("autorestart", *restart, "not true or false: not imported");
  }
  if (const json* codes = mapping.take("stop_exit_codes"); codes && !codes->is_null()) {
    std::vector<std::int64_t> numbers;
    for (const auto& code : codes->is_array() ? *codes : json::array({*codes}))
      if (auto number = whole_number(code)) numbers.push_back(*number);
    if (numbers.empty()) mapping.note("stop_exit_codes", *codes, "no exit code in it: not imported");
    else mapping.key("stop_exit_codes", numbers);
  }
  if (const json* limit = mapping.take("max_restarts"); limit && !limit->is_null()) {
    auto number = whole_number(*limit);
    if (!number || *number < 0) {
      mapping.note("max_restarts", *limit, "not a count: not imported");
    } else {
      // Baton counts them as PM2 does (restarts in a row after runs shorter than min_uptime).
      mapping.key("max_restarts", *number);
    }
  }
  map_restart_delays(mapping);
  if (const json* cron = mapping.take_either("cron_restart", "cron"); cron && cron->is_string())
    mapping.key("cron_restart", cron->get<std::string>());
  else if (cron && !cron->is_null())
    mapping.note("cron_restart", *cron, "not a cron expression: not imported");
}

std::string_view canonical_option(std::string_view option) {
  for (auto [alias, name] : kAliases)
    if (option == alias) return name;
  return option;
}
}  // namespace

const json* AppMapping::take(std::string_view option) {
  taken_.emplace(option);
  auto found = app_.find(std::string(option));
  return found == app_.end() ? nullptr : &*found;
}

const json* AppMapping::take_either(std::string_view option, std::string_view alias) {
  const json* first = take(option);
  const json* second = take(alias);
  return first && !first->is_null() ? first : second;
}

void AppMapping::key(std::string name, TomlItem value, std::string note) {
  draft_.keys.push_back(ServiceKey{.key = std::move(name), .value = std::move(value), .note = std::move(note)});
}

void AppMapping::note(std::string_view option, const json& value, std::string_view why) {
  draft_.notes.push_back(fmt::format("{} = {}: {}", option, shown_value(value), why));
}

std::optional<std::int64_t> whole_number(const json& value) {
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number_unsigned()) return static_cast<std::int64_t>(std::min<std::uint64_t>(value.get<std::uint64_t>(), INT64_MAX));
  if (value.is_number_float()) {
    double number = value.get<double>();
    if (std::isfinite(number) && number == std::trunc(number) && std::fabs(number) < 9e18)
      return static_cast<std::int64_t>(number);
    return std::nullopt;
  }
  if (!value.is_string()) return std::nullopt;
  const auto& text = value.get_ref<const std::string&>();
  std::int64_t number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return number;
}

std::optional<std::string> duration_from_millis(const json& value) {
  if (auto millis = whole_number(value)) {
    if (*millis <= 0) return std::nullopt;
    return format_duration(Millis(*millis));
  }
  if (!value.is_string()) return std::nullopt;
  auto parsed = parse_duration(value.get<std::string>());
  if (!parsed || parsed->count() <= 0) return std::nullopt;
  return format_duration(*parsed);
}

void map_limits_and_restarts(AppMapping& mapping) {
  map_max_memory(mapping);
  map_duration(mapping, "kill_timeout", "stop_timeout");
  map_duration(mapping, "min_uptime", "min_uptime");
  map_restart_policy(mapping);
}

void map_logs_and_account(AppMapping& mapping) {
  const json* merge = mapping.take_either("merge_logs", "combine_logs");
  if (merge && merge->is_boolean() && merge->get<bool>()) {
    mapping.key("log_per_instance", false, "PM2 merge_logs: one file for every instance");
  } else if (merge && merge->is_boolean() && mapping.instances > 1) {
    mapping.key("log_per_instance", true, "PM2 merge_logs = false: one log file per instance");
  } else if (!merge && mapping.instances > 1) {
    mapping.draft().notes.push_back(
        "PM2 wrote one log file per instance (without merge_logs); Baton writes one HOME/logs/NAME.log for "
        "them all (baton logs NAME --json names each line's instance): log_per_instance = true splits it");
  }
  for (auto [key, option, alias] : {std::tuple{"user", "user", "uid"}, std::tuple{"group", "group", "gid"}}) {
    const json* account = mapping.take_either(option, alias);
    if (!account || account->is_null()) continue;
    bool named = account->is_string() && !account->get<std::string>().empty();
    if (named || account->is_number_integer() || account->is_number_unsigned())
      mapping.key(key, named ? account->get<std::string>() : account->dump());
    else
      mapping.note(option, *account, "not a name or an id: not imported");
  }
}

void note_remaining_options(AppMapping& mapping) {
  for (const auto& [option, value] : mapping.app().items()) {
    if (mapping.taken(option)) continue;
    auto canonical = canonical_option(option);
    std::string_view why = "unknown PM2 option: not imported";
    for (auto [name, instead] : kNoEquivalent)
      if (canonical == name) why = instead;
    mapping.note(option, value, why);
  }
}
}  // namespace baton::cli::pm2_detail
