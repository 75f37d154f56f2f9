#pragma once
// What the supervisor runs (a service's spec) and what it reports (instance status and events).
// Plain data, independent of the proxy: the composition root turns events into target changes.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/restart_policy.hpp"
#include "net/asio.hpp"
#include "supervisor/backoff.hpp"
#include "supervisor/cgroup.hpp"
#include "supervisor/command.hpp"
#include "supervisor/defaults.hpp"
#include "base/log_file.hpp"
#include "supervisor/process_identity.hpp"
#include "supervisor/running_process.hpp"

namespace baton::supervisor {
struct ServiceSpec {
  std::string name;
  std::string release;  // a label, BATON_RELEASE; two releases of a service run side by side
  std::vector<std::string> command;
  bool command_is_line = true;  // false: a one-element command is argv[0] as it is
  std::string cwd;
  EnvList env;
  unsigned instances = 1;
  bool socket_activation = false;  // fd 3 is a listening socket kept by the daemon across restarts
  int stop_signal = defaults::kStopSignal;
  Millis stop_timeout = defaults::kStopTimeout;
  BackoffPolicy backoff;
  // Whether an instance that ended on its own is started again, and how often (restart_policy.hpp).
  // A stop Baton decides itself (max_memory, the watchdog) is always followed by a start.
  RestartPolicy restart;
  std::optional<std::uint64_t> max_memory;  // resident bytes of the instance's main process
  Millis memory_check_interval = defaults::kMemoryCheckInterval;
  Millis ready_poll_interval = defaults::kReadyPollInterval;
  std::filesystem::path log_file;  // empty: output goes to /dev/null
  // Where instances' output FIFOs live, so output capture survives a daemon restart
  // (output_fifo.hpp); empty: anonymous pipes, and an adopted instance's output is lost.
  std::filesystem::path output_dir;
  LogRotation log_rotation;
  bool log_per_instance = false;  // log_file NAME.log becomes NAME.INDEX.log for each instance
  // A worker has no port: none is picked, PORT is not set, readiness is not a connect. It is ready
  // after running min_uptime, or with notify once it sends READY=1 (docs/supervisor.md#workers).
  bool worker = false;
  Millis min_uptime = defaults::kWorkerMinUptime;
  // NOTIFY_SOCKET (notify_socket.hpp): READY=1 is needed before ready (a web service: and the port
  // accepts), STOPPING=1 takes it out of service.
  bool notify = false;
  // With notify, above zero: WATCHDOG_USEC, and an instance that sends no WATCHDOG=1 for this long
  // is stopped (stop signal, stop_timeout, SIGKILL) and started again.
  Millis watchdog{0};
  // Who the instances run as (spawn.hpp), and, with a root, a cgroup of its own for each instance
  // under it with these limits (cgroup.hpp).
  std::string user;
  std::string group;
  std::optional<CgroupRoot> cgroup_root;
  CgroupLimits limits;

  // Unique within a supervisor: the name, or name@release when a release is set.
  std::string key() const { return release.empty() ? name : name + "@" + release; }
};

// NAME.log -> NAME.INDEX.log: an instance's own file with `log_per_instance`.
std::filesystem::path instance_log_path(const std::filesystem::path& log_file, unsigned index);

// An instance a previous daemon started, from the state store.
struct AdoptedInstance {
  unsigned index = 0;
  std::uint16_t port = 0;
  ProcessIdentity identity;
};

// exited: it ended and its restart policy says not to start it again (autorestart, stop_exit_codes);
// errored: more than max_restarts within restart_window. Both stay until a restart or deploy.
enum class InstanceState { starting, running, backoff, crash_loop, stopping, stopped, exited, errored };
std::string_view to_string(InstanceState state);

// Why a run of an instance ended: on its own (`exit`), stopped by Baton to start it again
// (`max_memory`, `watchdog`), or asked to stop (`stop`: a stop, scale-down, deploy or shutdown).
enum class ExitReason { exit, max_memory, watchdog, stop };
std::string_view to_string(ExitReason reason);

// One ended run, for `baton describe`.
struct ExitRecord {
  std::int64_t time_ms = 0;  // unix time of the exit
  std::string status;        // "exited with 3", "killed by SIGKILL"
  Millis uptime{0};          // how long that run lasted
  ExitReason reason = ExitReason::exit;
};
// The exits each instance slot remembers.
inline constexpr std::size_t kExitHistory = 5;

struct InstanceStatus {
  std::string service;
  std::string release;
  unsigned index = 0;
  InstanceState state = InstanceState::stopped;
  bool ready = false;  // accepts connections: may take traffic
  pid_t pid = 0;       // 0 while no process runs
  std::uint16_t port = 0;
  unsigned restarts = 0;
  unsigned exits = 0;  // the process ended without being asked to (a crash, a clean exit, over max_memory)
  Millis uptime{0};
  Millis restart_delay{0};  // backoff and crash_loop: the wait before the next start
  std::optional<ExitStatus> last_exit;
  // Why the last start failed, or (exited, errored) why the instance is not started again.
  std::string last_error;
  // exited after a clean end (code 0, or one of stop_exit_codes): its job is done, as a one-shot
  // job run by cron_restart is.
  bool completed = false;
  Millis cpu_time{0};
  std::uint64_t rss_bytes = 0;
  std::optional<ProcessIdentity> identity;  // what to record for re-adoption
  std::uint64_t notify_rejected = 0;  // malformed or oversized NOTIFY_SOCKET messages, ignored
  std::vector<ExitRecord> recent_exits;  // the slot's last kExitHistory exits, oldest first
};

struct InstanceEvent {
  // started: a process was spawned (record its identity before anything else happens to it);
  // ready: it accepts connections; down: a ready instance stops taking traffic (stop or exit);
  // ended: its process ended on its own, or could not start, or it was stopped for good (whether it
  // was ready or not; a restart Baton decided itself is not an end).
  enum class Kind { started, ready, down, ended };
  Kind kind = Kind::ready;
  std::string service;
  std::string release;
  unsigned index = 0;
  std::uint16_t port = 0;
  pid_t pid = 0;
  std::optional<ExitStatus> exit;  // down after an exit; empty when down comes before a stop
  std::optional<ProcessIdentity> identity;  // started: what to record for re-adoption
  // down: Baton stops it to start it again at once (max_memory, the watchdog), so a service left with
  // no ready instance meanwhile should hold its requests rather than refuse them.
  bool restarting = false;
};
using EventCallback = std::function<void(const InstanceEvent&)>;
// Waits, at most `timeout`, until the requests in flight to the instance on `port` have finished.
// The daemon gives one (it knows the proxy's counters); the supervisor calls it before a stop it
// decides itself, after the instance stopped taking new requests.
using Drainer = std::function<awaitable<void>(std::uint16_t port, Millis timeout)>;

// "web#2": the instance's name in logs.
std::string instance_label(const ServiceSpec& spec, unsigned index);
// "web#2@r3": the prefix of its output lines in the log, so a release's own output can be found.
std::string output_label(const ServiceSpec& spec, unsigned index);
// PORT (not for a worker), BATON_SERVICE, BATON_RELEASE and BATON_INSTANCE after the spec's own variables, so the
// port the app reads is the one the supervisor probes.
EnvList instance_environment(const ServiceSpec& spec, unsigned index, std::uint16_t port);
}  // namespace baton::supervisor
