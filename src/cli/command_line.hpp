#pragma once
// Parses `baton` arguments into a command. Exit codes are the CLI's contract:
// 0 success, 1 the operation failed, 2 bad usage or invalid input, 3 daemon unreachable.
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "cli/import_command.hpp"
#include "cli/log_line.hpp"
#include "cli/remote_api.hpp"
#include "cli/site_args.hpp"

namespace baton::cli {
enum ExitCode : int { kOk = 0, kFailed = 1, kUsage = 2, kUnreachable = 3 };

struct DaemonCommand {
  std::string config_path;
  std::string home;
  std::optional<std::string> log_level;
  std::string log_file;  // empty: standard error
  bool keeper = false;  // `baton keeper`: hold the listeners and run the daemon under them
};
struct CheckCommand {
  std::string config_path;
};
struct VersionCommand {};
struct LsCommand {
  std::string home;
  bool json = false;
  std::string service;  // empty: every service
};

// `describe NAME`: one service in full (describe_command.hpp).
struct DescribeCommand {
  std::string home;
  std::string service;
  bool json = false;
};

// `monit`: a live view of every instance in the terminal (monit_command.hpp).
struct MonitCommand {
  std::string home;
};

struct LogsCommand {
  std::string home;
  std::string service;                 // empty: every service
  std::optional<unsigned> lines;       // -n; default kDefaultLogLines, or every line with --since
  bool follow = false;
  LogFilter filter;
  bool flush = false;  // `baton flush [NAME]`: empty the log files instead
};

// How a deploy or rollback is shown while it runs.
enum class Progress { terminal, lines, json };

struct DeployCommand {
  std::string home;
  std::string service;
  std::string version;
  std::string strategy;
  std::string steps;     // canary: "5,25,50"
  std::string interval;  // canary: "60s"
  std::optional<unsigned> pause_at;
  std::string watch;     // rolling, blue-green: "60s"
  std::optional<unsigned> instances;
  std::string cwd;
  std::string from;  // a directory copied as the release's code (made absolute by the CLI)
  std::vector<std::string> env;      // K=V
  std::vector<std::string> env_files;  // dotenv files, read by the CLI; --env overrides them
  std::vector<std::string> targets;  // external services
  std::vector<std::string> command;  // after --
  Progress progress = Progress::lines;
  bool detach = false;
};

struct RollbackCommand {
  std::string home;
  std::string service;
  std::string to;
  Progress progress = Progress::lines;
  bool detach = false;
};

struct ReleasesCommand {
  std::string home;
  std::string service;
  bool json = false;
};

// pause, resume (a service's requests), promote, abort (its running canary): one POST each.
struct PauseCommand {
  std::string home;
  std::string service;
  std::string action = "pause";
};

// `scale NAME N`, `stop NAME`, `start NAME [-i N]`, `restart NAME`: the live release, without a deploy
// (restart replaces every instance, rolling, like `pm2 reload`).
struct ServiceCommand {
  std::string home;
  std::string service;
  std::string action;  // scale, stop, start, restart, delete
  std::optional<unsigned> instances;
  // `start NAME ... -- CMD`: registers a service that no config file has.
  std::vector<std::string> command;
  std::string listen;
  std::string health;
  std::string cwd;
  std::vector<std::string> env;  // K=V
  bool socket_activation = false;
  bool notify = false;  // systemd's READY=1 through NOTIFY_SOCKET before ready
  // More keys of the new service, as the config file writes them ("512m", "30s", "on-failure"); the
  // daemon's config loader checks them. By key name: user, group, max_memory, ...
  std::vector<std::pair<std::string, std::string>> settings;
  std::optional<unsigned> max_restarts;
  Progress progress = Progress::lines;
  bool detach = false;
};

struct ShutdownCommand {
  std::string home;
  bool stop_apps = false;  // else the apps keep running, and the next daemon adopts them
};

// `upgrade --binary PATH`: the keeper replaces the daemon with that binary.
// `upgrade --keeper [--binary PATH]`: the keeper re-executes itself as that baton-keeper.
struct UpgradeCommand {
  std::string home;
  std::string binary;
  bool keeper = false;
};

// `startup`: the systemd unit that runs Baton at boot, written or printed.
struct StartupCommand {
  std::string home;
  std::string config_path;
  bool print = false;
  std::string unit_path = "/etc/systemd/system/baton.service";
};

// `apply FILE`: the daemon validates the whole file and reconciles what runs with it.
struct ApplyCommand {
  std::string home;
  std::string path;
  Progress progress = Progress::lines;
};

// `token create NAME --scope S | ls | revoke NAME`: the admin listener's named tokens.
struct TokenCommand {
  std::string home;
  std::string action;  // create, ls, revoke
  std::string name;
  std::string scope;   // create: read, deploy or admin
  bool json = false;   // ls
};

using Command = std::variant<DaemonCommand, CheckCommand, VersionCommand, LsCommand, LogsCommand, DeployCommand,
                             RollbackCommand, ReleasesCommand, PauseCommand, SiteCommand, ServiceCommand,
                             ShutdownCommand, ApplyCommand, StartupCommand, UpgradeCommand, ImportCommand,
                             DescribeCommand, MonitCommand, TokenCommand>;

struct ParseOutcome {
  std::optional<Command> command;  // empty: print `message`, exit with `exit_code`
  RemoteFlags remote;              // --remote, --token, --context: resolved before the command runs
  int exit_code = kOk;
  std::string message;
};

ParseOutcome parse_command_line(int argc, const char* const* argv);

// The home when --home is not given: $BATON_HOME; for root /var/lib/baton; else
// $XDG_STATE_HOME/baton or ~/.local/state/baton. `env` reads a variable (null: unset).
std::string default_home(const std::function<const char*(const char*)>& env, bool root);
}  // namespace baton::cli
