#include "cli/command_line.hpp"

#include <CLI/CLI.hpp>

#include "cli/service_args.hpp"
#include <algorithm>
#include <cstdlib>
#include <utility>
#include <vector>
#include <unistd.h>

namespace baton::cli {
// State must outlive a reboot: persistent disk, never the runtime directory (a tmpfs).
std::string default_home(const std::function<const char*(const char*)>& env, bool root) {
  auto set = [&](const char* name) -> std::optional<std::string> {
    const char* value = env(name);
    if (value && *value) return std::string(value);
    return std::nullopt;
  };
  if (auto home = set("BATON_HOME")) return *home;
  if (root) return "/var/lib/baton";
  if (auto state = set("XDG_STATE_HOME")) return *state + "/baton";
  if (auto home = set("HOME")) return *home + "/.local/state/baton";
  return ".baton";
}

namespace {
std::string home_from_environment() {
  return default_home([](const char* name) { return std::getenv(name); }, ::geteuid() == 0);
}

// A question about one service (releases, describe): NAME, --json, --home.
template <class Query>
CLI::App* add_service_query(CLI::App& app, const char* command, const char* description, Query& query) {
  query.home = home_from_environment();
  auto* parsed = app.add_subcommand(command, description);
  parsed->add_option("name", query.service, "Service name")->required();
  parsed->add_flag("--json", query.json, "Print the daemon's JSON");
  parsed->add_option("--home", query.home, "The daemon's home directory");
  return parsed;
}
}  // namespace

ParseOutcome parse_command_line(int argc, const char* const* argv) {
  CLI::App app{"baton: zero-downtime deploys, a reverse proxy and a process supervisor in one daemon"};
  app.require_subcommand(1);
  // Before or after the command: `baton --remote URL ls` and `baton ls --remote URL` alike.
  app.fallthrough();
  ParseOutcome out;
  app.add_option("--remote", out.remote.remote,
                 "Talk to the daemon behind this admin listener (http://HOST:PORT) instead of HOME's; "
                 "or BATON_REMOTE");
  app.add_option("--token", out.remote.token_file, "With --remote: the file holding its token; or BATON_TOKEN_FILE");
  app.add_option("--context", out.remote.context,
                 "A remote daemon named in ~/.config/baton/contexts.toml (remote, token_file); or BATON_CONTEXT");
  DaemonCommand daemon{.config_path = "", .home = home_from_environment(), .log_level = std::nullopt};
  std::string level;
  auto* daemon_cmd = app.add_subcommand("daemon", "Run the daemon in the foreground");
  daemon_cmd->add_option("--config,-c", daemon.config_path,
                         "TOML configuration file (default: the file last applied, if any)");
  daemon_cmd->add_option("--home", daemon.home, "State directory (default $BATON_HOME, else /var/lib/baton for root, $XDG_STATE_HOME/baton or ~/.local/state/baton)");
  // The same names as the config file's log_level.
  daemon_cmd->add_option("--log-level", level, "trace, debug, info, warn, error, critical or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  daemon_cmd->add_option("--log-file", daemon.log_file,
                         "Write the daemon's log to this file (rotated by size, reopened on SIGUSR1) instead of stderr");
  auto* keeper_cmd = app.add_subcommand(
      "keeper", "Hold the listening sockets and run the daemon under them, starting it again if it dies");
  keeper_cmd->add_option("--config,-c", daemon.config_path, "TOML configuration file, passed to the daemon");
  keeper_cmd->add_option("--home", daemon.home, "State directory, as for baton daemon");
  keeper_cmd->add_option("--log-level", level, "passed to the daemon")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  StartupCommand startup{.home = home_from_environment()};
  auto* startup_cmd = app.add_subcommand("startup", "Write the systemd unit that runs Baton at boot (or print it)");
  startup_cmd->add_option("--config,-c", startup.config_path, "Configuration file the unit runs (absolute path)");
  startup_cmd->add_option("--home", startup.home, "State directory the unit uses");
  startup_cmd->add_flag("--print", startup.print, "Print the unit instead of writing it");
  startup_cmd->add_option("--unit", startup.unit_path, "Where to write it (default /etc/systemd/system/baton.service)");
  UpgradeCommand upgrade{.home = home_from_environment(), .binary = ""};
  auto* upgrade_cmd = app.add_subcommand(
      "upgrade", "Replace the running daemon with another baton binary, under load, apps kept (needs baton keeper)");
  upgrade_cmd->add_option("--binary", upgrade.binary,
                          "The new baton binary; with --keeper, the new baton-keeper (default: the one beside baton)");
  upgrade_cmd->add_flag("--keeper", upgrade.keeper,
                        "Replace the keeper itself (same pid, no socket closed, the daemon keeps running)");
  upgrade_cmd->add_option("--home", upgrade.home, "The daemon's home directory");
  CheckCommand check;
  auto* check_cmd = app.add_subcommand("check", "Validate a configuration file and exit");
  check_cmd->add_option("--config,-c", check.config_path, "TOML configuration file")->required();
  auto* version_cmd = app.add_subcommand("version", "Print the version");
  LsCommand ls{.home = home_from_environment(), .json = false, .service = ""};
  auto* ls_cmd = app.add_subcommand("ls", "List every instance the daemon runs");
  ls_cmd->alias("status");
  ls_cmd->add_option("--home", ls.home, "The daemon's home directory");
  ls_cmd->add_flag("--json", ls.json, "Print the daemon's JSON");
  ls_cmd->add_option("name", ls.service, "Only this service");
  DescribeCommand describe;
  auto* describe_cmd = add_service_query(
      app, "describe", "Show one service in full: spec, env, releases, instances, exits, health", describe);
  MonitCommand monit{.home = home_from_environment()};
  auto* monit_cmd = app.add_subcommand("monit", "Watch every instance live: CPU, memory, requests, errors, deploys (q quits)");
  monit_cmd->add_option("--home", monit.home, "The daemon's home directory");
  LogsCommand logs{.home = home_from_environment()};
  std::string since;
  bool only_out = false, only_err = false;
  auto* logs_cmd = app.add_subcommand("logs", "Show the output of a service, or of every service");
  logs_cmd->add_option("name", logs.service, "Service name (default: every service)");
  logs_cmd->add_option("-n,--lines", logs.lines, "How many of the last lines (default 20)")
      ->check(CLI::Range(0u, 1000000u));
  logs_cmd->add_flag("-f,--follow", logs.follow, "Keep printing new lines");
  auto* out_flag = logs_cmd->add_flag("--out", only_out, "Only what the instances wrote to stdout");
  logs_cmd->add_flag("--err", only_err, "Only what the instances wrote to stderr")->excludes(out_flag);
  logs_cmd->add_flag("--json", logs.filter.json, "One JSON object per line: time, service, release, instance, stream, line");
  logs_cmd->add_option("--since", since, "Only lines since a duration ago (10m, 2h) or a UTC time (2026-11-22T10:00)");
  logs_cmd->add_option("--home", logs.home, "The daemon's home directory");
  auto* flush_cmd = app.add_subcommand("flush", "Empty the log files of a service, or of every service");
  flush_cmd->add_option("name", logs.service, "Service name (default: every service)");
  flush_cmd->add_option("--home", logs.home, "The daemon's home directory");

  DeployCommand deploy;
  deploy.home = home_from_environment();
  bool deploy_json = false;
  auto* deploy_cmd = app.add_subcommand("deploy", "Deploy a new release of a service, health-gated, with rollback on failure");
  deploy_cmd->add_option("name", deploy.service, "Service name")->required();
  deploy_cmd->add_option("--version", deploy.version, "Version label (default: a timestamp)");
  deploy_cmd->add_option("--strategy", deploy.strategy, "rolling, blue-green, recreate or canary (default: the service's)")
      ->check(CLI::IsMember({"rolling", "blue-green", "blue_green", "recreate", "canary"}));
  deploy_cmd->add_option("--steps", deploy.steps, "Canary: shares of new clients at each step, e.g. 5,25,50");
  deploy_cmd->add_option("--interval", deploy.interval, "Canary: how long each step is judged, e.g. 60s");
  deploy_cmd->add_option("--pause-at", deploy.pause_at, "Canary: wait at this step for 'baton promote' or 'baton abort'");
  deploy_cmd->add_option("--watch", deploy.watch, "Rolling, blue-green: judge the new release this long after the switch, e.g. 60s");
  deploy_cmd->add_option("-i,--instances", deploy.instances, "Instance count")->check(CLI::Range(1u, 1000u));
  deploy_cmd->add_option("--cwd", deploy.cwd, "Working directory of the new release");
  deploy_cmd->add_option("--from", deploy.from,
                         "A build directory or archive (tar, tar.gz, tar.zst, zip...): copied into HOME/apps/NAME/releases/, "
                         "it is the release's code and cwd "
                         "({release_dir} in the command and env)");
  // One value per flag: a list option would also swallow what follows it up to `--`.
  deploy_cmd->add_option("--env", deploy.env, "K=V for the new release (repeatable)")->allow_extra_args(false);
  deploy_cmd->add_option("--env-file", deploy.env_files, "A dotenv file of K=V for the new release (repeatable; --env wins)")
      ->allow_extra_args(false);
  deploy_cmd->add_option("--target", deploy.targets, "External services: the new addresses (repeatable)");
  deploy_cmd->add_flag("--json", deploy_json, "Print the deploy's events as JSON lines");
  deploy_cmd->add_flag("--detach", deploy.detach, "Return once the deploy has started");
  deploy_cmd->add_option("--home", deploy.home, "The daemon's home directory");
  deploy_cmd->add_option("command", deploy.command, "The new release's command, after --");
  RollbackCommand rollback;
  rollback.home = home_from_environment();
  bool rollback_json = false;
  auto* rollback_cmd = app.add_subcommand("rollback", "Bring back an earlier release (a warm standby in milliseconds)");
  rollback_cmd->add_option("name", rollback.service, "Service name")->required();
  rollback_cmd->add_option("--to", rollback.to, "Release id, e.g. r3 (default: the one live before)");
  rollback_cmd->add_flag("--json", rollback_json, "Print the rollback's events as JSON lines");
  rollback_cmd->add_flag("--detach", rollback.detach, "Return once the rollback has started");
  rollback_cmd->add_option("--home", rollback.home, "The daemon's home directory");
  ReleasesCommand releases;
  auto* releases_cmd = add_service_query(app, "releases", "List a service's releases", releases);
  // One POST to a service each: pause, resume, promote, abort.
  std::vector<std::pair<CLI::App*, PauseCommand>> nudges;
  for (auto [action, description] : {
           std::pair{"pause", "Hold a service's new requests (they wait, up to max_pause)"},
           std::pair{"resume", "Release a paused service's requests"},
           std::pair{"promote", "Send every request to the running canary now"},
           std::pair{"abort", "Stop the running canary: its share goes to 0 at once"},
       })
    nudges.emplace_back(app.add_subcommand(action, description),
                        PauseCommand{.home = home_from_environment(), .action = action});
  for (auto& [nudge_cmd, nudge] : nudges) {
    nudge_cmd->add_option("name", nudge.service, "Service name")->required();
    nudge_cmd->add_option("--home", nudge.home, "The daemon's home directory");
  }

  TokenCommand token{.home = home_from_environment(), .action = "", .name = "", .scope = "", .json = false};
  auto* token_cmd = app.add_subcommand("token", "Named tokens for the admin listener, each read, deploy or admin");
  token_cmd->require_subcommand(1);
  auto* token_create = token_cmd->add_subcommand("create", "Make a token: printed once, on standard output");
  token_create->add_option("name", token.name, "Its name (letters, digits, '_', '-', '.')")->required();
  token_create->add_option("--scope", token.scope, "read (look), deploy (also ship and steer releases) or admin (anything)")
      ->required()
      ->check(CLI::IsMember({"read", "deploy", "admin"}));
  auto* token_ls = token_cmd->add_subcommand("ls", "List the tokens: names, scopes, when made (never the secrets)");
  token_ls->add_flag("--json", token.json, "Print the daemon's JSON");
  auto* token_revoke = token_cmd->add_subcommand("revoke", "Revoke a token: it is refused from the next request on");
  token_revoke->add_option("name", token.name, "Its name")->required();
  for (auto* sub : {token_create, token_ls, token_revoke})
    sub->add_option("--home", token.home, "The daemon's home directory");

  SiteArgs site(app);
  ImportArgs import_args(app);
  ServiceArgs service_actions(app, home_from_environment());

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    out.message = app.help();
    return out;
  } catch (const CLI::ParseError& e) {
    out.exit_code = kUsage;
    out.message = "baton: " + std::string(e.what()) + "\nRun 'baton --help' for usage.";
    return out;
  }
  auto progress = [](bool json) { return json ? Progress::json : isatty(1) ? Progress::terminal : Progress::lines; };
  if (auto site_command = site.parsed()) {
    out.command = *site_command;
  } else if (auto import_command = import_args.parsed()) {
    out.command = *import_command;
  } else if (auto service_command = service_actions.parsed(progress)) {
    out.command = *service_command;
  } else if (deploy_cmd->parsed()) {
    deploy.progress = progress(deploy_json);
    out.command = deploy;
  } else if (rollback_cmd->parsed()) {
    rollback.progress = progress(rollback_json);
    out.command = rollback;
  } else if (releases_cmd->parsed()) {
    out.command = releases;
  } else if (auto nudge = std::ranges::find_if(nudges, [](const auto& n) { return n.first->parsed(); });
             nudge != nudges.end()) {
    out.command = nudge->second;
  } else if (daemon_cmd->parsed() || keeper_cmd->parsed()) {
    if (!level.empty()) daemon.log_level = level;
    daemon.keeper = keeper_cmd->parsed();
    out.command = daemon;
  } else if (upgrade_cmd->parsed()) {
    if (upgrade.binary.empty() && !upgrade.keeper) {
      out.exit_code = kUsage;
      out.message = "baton: upgrade needs --binary PATH (a new baton for the daemon) or --keeper\nRun 'baton --help' for usage.";
      return out;
    }
    out.command = upgrade;
  } else if (startup_cmd->parsed()) {
    out.command = startup;
  } else if (check_cmd->parsed()) {
    out.command = check;
  } else if (flush_cmd->parsed()) {
    logs.flush = true;
    out.command = logs;
  } else if (logs_cmd->parsed()) {
    logs.filter.stream = only_out ? StreamChoice::out : only_err ? StreamChoice::err : StreamChoice::both;
    if (!since.empty()) {
      auto cutoff = since_timestamp(since, std::chrono::system_clock::now());
      if (!cutoff) {
        out.exit_code = kUsage;
        out.message = "baton: " + cutoff.error();
        return out;
      }
      logs.filter.since = *cutoff;
    }
    out.command = logs;
  } else if (ls_cmd->parsed()) {
    out.command = ls;
  } else if (describe_cmd->parsed()) {
    out.command = describe;
  } else if (monit_cmd->parsed()) {
    out.command = monit;
  } else if (token_cmd->parsed()) {
    token.action = token_create->parsed() ? "create" : token_ls->parsed() ? "ls" : "revoke";
    out.command = token;
  } else if (version_cmd->parsed()) {
    out.command = VersionCommand{};
  }
  return out;
}
}  // namespace baton::cli
