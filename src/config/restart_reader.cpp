#include "config/restart_reader.hpp"

#include <array>

#include <fmt/format.h>

namespace baton::config_detail {
namespace {
constexpr Range<std::uint32_t> kMaxRestartsRange{0, 1'000'000};
constexpr std::array<std::string_view, 3> kAutoRestartModes = {"always", "on-failure", "never"};

// "always", "on-failure", "never", or PM2's true / false.
void read_autorestart(TableReader& r, RestartPolicy& policy) {
  const toml::node* node = r.table().get("autorestart");
  if (!node) return;
  if (auto flag = node->as_boolean()) {
    policy.autorestart = flag->get() ? AutoRestart::always : AutoRestart::never;
    return;
  }
  std::string mode;
  if (!node->is_string()) {
    r.fail_at("autorestart", "must be \"always\", \"on-failure\", \"never\" (or true / false)");
    return;
  }
  if (!r.read("autorestart", mode) || !r.check_choice("autorestart", mode, kAutoRestartModes)) return;
  policy.autorestart = *auto_restart_from(mode);
}

void read_stop_exit_codes(TableReader& r, RestartPolicy& policy) {
  const toml::node* node = r.table().get("stop_exit_codes");
  if (!node) return;
  const auto* codes = node->as_array();
  if (!codes) return r.fail_at("stop_exit_codes", "must be an array of exit codes (0-255), such as [0, 2]");
  for (const auto& code : *codes) {
    auto value = code.as_integer();
    if (!value || value->get() < 0 || value->get() > 255)
      return r.fail_at("stop_exit_codes", "must be an array of exit codes (0-255), such as [0, 2]");
    policy.stop_exit_codes.push_back(static_cast<int>(value->get()));
  }
}

void read_delays(TableReader& r, ServiceConfig& service) {
  if (Millis delay{0}; r.read_duration("restart_delay", delay)) service.restart_delay = delay;
  if (Millis delay{0}; r.read_duration("max_restart_delay", delay)) service.max_restart_delay = delay;
  if (service.restart_delay && service.max_restart_delay && *service.restart_delay > *service.max_restart_delay)
    r.fail_at("restart_delay", fmt::format("({} ms) is above max_restart_delay ({} ms): the delay grows from "
                                           "restart_delay up to max_restart_delay",
                                           service.restart_delay->count(), service.max_restart_delay->count()));
}

void read_cron_restart(TableReader& r, ServiceConfig& service) {
  std::string text;
  if (!r.read("cron_restart", text)) return;
  auto schedule = CronSchedule::parse(text);
  if (!schedule) return r.fail_at("cron_restart", fmt::format("\"{}\" {}", text, schedule.error()));
  service.cron_restart = std::move(*schedule);
}
}  // namespace

void read_restart_policy(TableReader& r, ServiceConfig& service) {
  read_autorestart(r, service.restart);
  read_stop_exit_codes(r, service.restart);
  if (std::uint32_t max = 0; r.read("max_restarts", max, kMaxRestartsRange)) service.restart.max_restarts = max;
  if (Millis window{0}; r.read_duration("restart_window", window)) {
    if (window < Millis(1000)) return r.fail_at("restart_window", "must be at least 1s");
    if (!service.restart.max_restarts)
      return r.fail_at("restart_window", "needs max_restarts: it is the window those restarts are counted in");
    service.restart.restart_window = window;
  }
  read_delays(r, service);
  read_cron_restart(r, service);
}
}  // namespace baton::config_detail
