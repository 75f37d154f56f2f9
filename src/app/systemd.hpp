#pragma once
// systemd integration: readiness and watchdog notifications (sd_notify, libsystemd)
// and the unit `baton startup` writes. Without NOTIFY_SOCKET every call does nothing.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace baton {
void notify_systemd(std::string_view state);  // "READY=1\nSTATUS=...", "STOPPING=1", ...
// READY=1 with the status line: at start, and at the end of each reload.
void notify_systemd_serving(std::size_t services);
// RELOADING=1 with the MONOTONIC_USEC systemd wants beside it; notify_systemd_serving ends it.
void notify_systemd_reloading(std::string_view status);
// How often systemd expects WATCHDOG=1 from this process, when it watches it.
std::optional<std::chrono::microseconds> watchdog_interval();

struct UnitOptions {
  std::string binary;  // absolute path of baton
  std::string config;  // may be empty: the config last applied
  std::string home;
};
// A unit that runs `baton keeper`: Type=notify (the daemon says READY=1), KillMode=process so
// the apps outlive a restart of the keeper, Restart=always, a high LimitNOFILE.
std::string systemd_unit(const UnitOptions& options);
}  // namespace baton
