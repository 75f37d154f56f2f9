#include "app/systemd.hpp"

#include <systemd/sd-daemon.h>

#include <fmt/format.h>

namespace baton {
void notify_systemd(std::string_view state) {
  std::string text(state);
  // NotifyAccess=all lets the daemon, a child of the keeper, speak for the unit.
  ::sd_notify(0, text.c_str());
}

void notify_systemd_serving(std::size_t services) {
  notify_systemd(fmt::format("READY=1\nSTATUS=serving {} service(s)", services));
}

void notify_systemd_reloading(std::string_view status) {
  auto now = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now().time_since_epoch());  // CLOCK_MONOTONIC, as systemd reads it
  notify_systemd(fmt::format("RELOADING=1\nMONOTONIC_USEC={}\nSTATUS={}", now.count(), status));
}

std::optional<std::chrono::microseconds> watchdog_interval() {
  std::uint64_t usec = 0;
  if (::sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec);
}

std::string systemd_unit(const UnitOptions& options) {
  std::string exec = fmt::format("{} keeper --home {}", options.binary, options.home);
  if (!options.config.empty()) exec += " --config " + options.config;
  return fmt::format(R"([Unit]
Description=Baton: reverse proxy, process supervisor and deploy engine
After=network-online.target
Wants=network-online.target

[Service]
# The keeper (baton-keeper, beside baton) holds the listening sockets and runs the daemon,
# starting a new one if it dies; with a baton.socket unit, it takes systemd's sockets instead;
# the daemon says READY=1 once its listeners and services are up.
Type=notify
NotifyAccess=all
ExecStart={}
# SIGTERM reaches the daemon through the keeper: it drains, then stops the apps. If the keeper
# itself is killed, only it is: the apps keep running for the next daemon to adopt.
KillMode=process
KillSignal=SIGTERM
TimeoutStartSec=90
TimeoutStopSec=90
Restart=always
RestartSec=1
LimitNOFILE=1048576

[Install]
WantedBy=multi-user.target
)",
                     exec);
}
}  // namespace baton
