#pragma once
// The daemon's configuration, as loaded from TOML. Plain data: the loader
// validates everything, so consumers never re-check.
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "balancer/health_check.hpp"
#include "base/cron_schedule.hpp"
#include "base/log_file.hpp"
#include "base/restart_policy.hpp"
#include "net/address.hpp"

namespace baton {
using Millis = std::chrono::milliseconds;

enum class BalancePolicy { round_robin, least_conn };

// Named defaults, shown by `baton status` and documented in docs/config.md.
namespace defaults {
inline constexpr Millis kHeaderTimeout{10'000};      // whole request head
inline constexpr Millis kKeepAliveTimeout{75'000};   // idle client keep-alive
inline constexpr Millis kConnectTimeout{5'000};      // upstream connect
inline constexpr Millis kResponseTimeout{60'000};    // upstream response head
inline constexpr Millis kBodyTimeout{60'000};        // idle gap while a body streams (both ways)
inline constexpr Millis kSendTimeout{60'000};        // a blocked write to a client
inline constexpr Millis kShutdownTimeout{30'000};    // SIGTERM: wait for in-flight requests
inline constexpr Millis kUpstreamIdleTimeout{60'000};  // pooled upstream connection
// A WebSocket with no byte either way for this long is closed; apps ping well within it.
inline constexpr Millis kWebSocketIdleTimeout{3'600'000};
inline constexpr std::uint32_t kMaxRequestLine = 8 * 1024;
inline constexpr std::uint32_t kMaxHeaderBytes = 64 * 1024;
// nginx bounds a head by bytes only (1 KiB + 4 x 8 KiB), which holds up to ~8,400 empty fields: every
// head nginx takes by default is taken. The bytes limit is what bounds memory.
inline constexpr std::uint32_t kMaxHeaderCount = 10'000;
// One field line (name, colon, value): as nginx's large_client_header_buffers, so
// every field nginx takes with its defaults is taken.
inline constexpr std::uint32_t kMaxFieldBytes = 8 * 1024;
// Idle connections kept per target and thread. Large on purpose: a pool smaller
// than the client concurrency makes every burst open and close upstream connections.
inline constexpr std::uint32_t kUpstreamPoolSize = 1024;
inline constexpr std::uint32_t kRetries = 2;            // extra targets tried after a failure
// Managed services (the supervisor's own defaults are the same values).
inline constexpr unsigned kInstances = 1;
inline constexpr int kStopSignal = SIGTERM;
inline constexpr Millis kStopTimeout{10'000};           // after the stop signal, then SIGKILL
// Workers (managed services without listen): one that does not notify and sets no min_uptime is
// ready after running this long.
inline constexpr Millis kWorkerMinUptime{1'000};
inline constexpr Millis kMinWatchdog{1'000};            // a shorter `watchdog` is refused
// Deploys (health check defaults: balancer/health_check.hpp).
inline constexpr unsigned kMaxSurge = 1;                // extra instances while rolling
inline constexpr Millis kStandbyTtl{300'000};           // blue-green: old release kept for rollback
inline constexpr Millis kDrainTimeout{30'000};          // in-flight requests on an old target
inline constexpr Millis kDeployTimeout{120'000};        // new instances must be healthy by then
inline constexpr Millis kMaxPause{30'000};              // recreate: requests held while nothing runs
inline constexpr std::size_t kMaxPausedRequests = 1024;  // recreate: more are refused with 503
inline constexpr Millis kHookTimeout{300'000};          // one pre_deploy, smoke or post_deploy run
inline constexpr Millis kBuildTimeout{600'000};         // the build hook of a deploy --from (npm ci, pip install)
inline constexpr unsigned kKeptAppReleases = 5;          // release directories of deploy --from kept for rollbacks
// Logs: services' and the daemon's files rotate at base/log_file.hpp's kDefaultLogMaxSize (10 MiB),
// keeping kDefaultLogKeep (5); the access log, written at every request, rotates later.
inline constexpr std::uint64_t kAccessLogMaxSize = 100ull << 20;
// Static sites.
inline constexpr unsigned kSiteKeep = 5;                // releases kept on disk after a publish
}  // namespace defaults

struct Timeouts {
  Millis header = defaults::kHeaderTimeout;
  Millis keepalive = defaults::kKeepAliveTimeout;
  Millis connect = defaults::kConnectTimeout;
  Millis response = defaults::kResponseTimeout;
  Millis body = defaults::kBodyTimeout;
  Millis send = defaults::kSendTimeout;
  Millis upstream_idle = defaults::kUpstreamIdleTimeout;
  Millis websocket_idle = defaults::kWebSocketIdleTimeout;
  bool operator==(const Timeouts&) const = default;
};

struct Limits {
  std::uint32_t max_request_line = defaults::kMaxRequestLine;
  std::uint32_t max_header_bytes = defaults::kMaxHeaderBytes;
  std::uint32_t max_header_count = defaults::kMaxHeaderCount;
  std::uint32_t max_field_bytes = defaults::kMaxFieldBytes;
  std::optional<std::uint64_t> max_body;  // unset: unlimited
  bool operator==(const Limits&) const = default;
};

enum class Strategy { rolling, blue_green, recreate, canary };
std::string_view to_string(Strategy strategy);
// "rolling", "blue-green" (also "blue_green"), "recreate", "canary".
std::optional<Strategy> parse_strategy(std::string_view name);

// A command a deploy runs: a string (a command line) or an array (argv), like a service's command.
struct HookCommand {
  std::vector<std::string> command;
  bool is_shell_string = false;
  bool empty() const { return command.empty(); }
  bool operator==(const HookCommand&) const = default;
};

// How a canary moves and what fails it (docs/deploys.md).
struct CanaryConfig {
  std::vector<unsigned> steps{5, 25, 50};  // shares of new clients in percent, increasing, 1 to 99
  Millis interval{60000};                  // one window per step
  double max_error_rate = 0.01;            // above the live release's rate plus this, a window fails
  double max_p99_ratio = 1.5;              // above this times the live release's p99, a window fails
  Millis p99_floor{20};                    // a p99 below this never fails the ratio (noise, not users)
  std::uint32_t min_requests = 50;         // a window with fewer is extended
  std::uint32_t max_extensions = 3;        // then it passes or fails, as:
  bool pass_when_quiet = false;
  std::optional<unsigned> pause_at;        // a deploy's own: wait for promote or abort at this share
  bool operator==(const CanaryConfig&) const = default;
};

struct DeployConfig {
  Strategy strategy = Strategy::rolling;
  unsigned max_surge = defaults::kMaxSurge;
  Millis standby_ttl = defaults::kStandbyTtl;
  Millis drain_timeout = defaults::kDrainTimeout;
  Millis deploy_timeout = defaults::kDeployTimeout;
  Millis max_pause = defaults::kMaxPause;
  std::size_t max_paused_requests = defaults::kMaxPausedRequests;
  bool version_affinity = true;  // during a deploy, a client stays on the release it first got
  HookCommand pre_deploy, smoke, post_deploy;
  Millis hook_timeout = defaults::kHookTimeout;
  // deploy --from: run inside the new release directory before anything starts (its own timeout),
  // the newest `keep` release directories stay, and `shared` entries of HOME/apps/NAME/shared/
  // are linked into each (Capistrano's linked_dirs and linked_files).
  HookCommand build;
  Millis build_timeout = defaults::kBuildTimeout;
  unsigned keep = defaults::kKeptAppReleases;
  std::vector<std::string> shared;
  CanaryConfig canary;
  Millis watch{0};  // rolling and blue-green: judge the new release this long after the switch; 0: off
  bool operator==(const DeployConfig&) const = default;
};

// Where a managed service's output goes (docs/supervisor.md#logs): one file, or one per instance.
struct ServiceLogs {
  bool per_instance = false;
  LogRotation rotation;  // log_max_size, log_max_files
  bool operator==(const ServiceLogs&) const = default;
};

struct ServiceConfig {
  std::string name;
  Address listen;
  std::vector<std::string> hosts;  // lower-case; empty: any host
  std::string path = "/";          // path prefix, longest wins
  std::vector<Address> targets;
  BalancePolicy balance = BalancePolicy::round_robin;
  bool access_log = false;
  std::uint32_t retries = defaults::kRetries;
  bool underscores_in_headers = false;  // forward request fields whose names have "_"
  Timeouts timeouts;
  Limits limits;

  // A managed service: Baton runs `instances` copies of `command`, each on a port of its own, and
  // balances over them. An external service has `targets` instead; the fields below stay default.
  std::vector<std::string> command;     // empty: external; a TOML string is one element, an array argv
  bool command_is_shell_string = false;  // given as a string (a shell runs it if it needs one)
  unsigned instances = defaults::kInstances;
  std::string cwd;                       // absolute; empty: the daemon's working directory
  std::vector<std::pair<std::string, std::string>> env;  // env_file, secret_env_file, then env; in order
  std::vector<std::string> secret_env;  // names whose values are never shown, logged or stored in clear
  int stop_signal = defaults::kStopSignal;
  Millis stop_timeout = defaults::kStopTimeout;
  std::optional<std::uint64_t> max_memory;  // resident bytes; above it the instance restarts
  bool socket_activation = false;           // a pre-bound listening socket as fd 3
  ServiceLogs logs;
  // A worker: a managed service without `listen` (docs/supervisor.md#workers). No port, no route;
  // `listen` stays default. Ready after min_uptime, or with notify at READY=1.
  bool worker = false;
  // A run this long counts as started (PM2's min_uptime): a worker without notify is ready then
  // (unset: kWorkerMinUptime), and a shorter run of any instance is a crash to the restart backoff
  // (unset: the supervisor's own threshold).
  std::optional<Millis> min_uptime;
  bool notify = false;   // systemd Type=notify: NOTIFY_SOCKET, READY=1 before ready
  Millis watchdog{0};    // with notify: no WATCHDOG=1 for this long restarts the instance; 0: off
  // Who the instances run as, and their cgroup v2 limits (docs/config.md#users-and-limits).
  std::string user;                         // empty: the daemon's user
  std::string group;                        // empty: the user's primary group
  std::optional<std::uint64_t> memory_max;  // bytes: the instance cgroup's memory.max
  std::optional<std::uint32_t> cpu_max;     // thousandths of a core: the instance cgroup's cpu.max
  // When an instance that ended on its own starts again (docs/config.md#restart-policy).
  RestartPolicy restart;
  std::optional<Millis> restart_delay;      // the backoff's first delay (unset: the supervisor's)
  std::optional<Millis> max_restart_delay;  // and the most it grows to
  std::optional<CronSchedule> cron_restart;  // a rolling restart of the live release at these times

  HealthCheck health;              // default: the port accepts a connection
  bool health_configured = false;  // `health` was in the file
  DeployConfig deploy;

  bool managed() const { return !command.empty(); }
};

// A static front end: ROOT/releases/<id>/ directories and the ROOT/current symlink (docs/sites.md).
struct SiteConfig {
  std::string name;
  std::string root;                // absolute
  Address listen;
  std::vector<std::string> hosts;  // lower-case; empty: any host
  std::string path = "/";          // path prefix, stripped before the file is looked up
  unsigned keep = defaults::kSiteKeep;
  bool spa = false;                // unknown extension-less paths get index.html
  std::string not_found;           // optional page (relative to the release) sent with 404
  bool require_index = true;       // a publish without index.html is refused
  bool access_log = false;
};

struct ProxyConfig {
  unsigned threads = 0;  // 0: one per core
  Millis shutdown_timeout = defaults::kShutdownTimeout;
  std::uint32_t upstream_pool_size = defaults::kUpstreamPoolSize;
  // Client connections open at once; past it new ones are closed at once. 0: from RLIMIT_NOFILE
  // (proxy/connection_cap.hpp), leaving room for each client's upstream connection and the rest.
  std::uint32_t max_connections = 0;
  Timeouts timeouts;  // defaults every service inherits
  Limits limits;
  bool access_log = false;
};

// The control API's TCP admin listener (docs/api.md): off unless both keys are set.
struct ControlConfig {
  std::optional<Address> admin_listen;  // tcp; port 0 picks one (logged at start)
  std::string admin_token_file;         // absolute; read, and its mode checked, when the daemon starts
  // Per control listener: how long a client may stall (head, body, unread answer, idle
  // keep-alive) and how many connections may be open at once.
  std::chrono::milliseconds request_timeout{std::chrono::seconds(15)};
  std::uint32_t max_connections = 256;
  // Serve admin clients that are not on this machine, over plain HTTP (their token readable on the way).
  bool allow_plaintext_remote = false;
  bool operator==(const ControlConfig&) const = default;
};

enum class AccessLogFormat : std::uint8_t { logfmt, json };

// [logs]: the daemon's own log (with --log-file) and the access log (HOME/logs/access.log).
struct LogsConfig {
  LogRotation daemon;
  LogRotation access{.max_size = defaults::kAccessLogMaxSize, .keep = kDefaultLogKeep};
  AccessLogFormat access_format = AccessLogFormat::logfmt;
  bool operator==(const LogsConfig&) const = default;
};

struct Config {
  std::string source;  // file path, for messages
  ProxyConfig proxy;
  ControlConfig control;
  std::map<std::string, ServiceConfig> services;
  std::map<std::string, SiteConfig> sites;
  std::string log_level = "info";
  LogsConfig logs;
};
}  // namespace baton
