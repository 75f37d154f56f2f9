#include "cli/command_line.hpp"

#include <CLI/CLI.hpp>
#include <cstdlib>

namespace baton::cli {
namespace {
std::string default_home() {
  if (const char* env = std::getenv("BATON_HOME"); env && *env) return env;
  if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime && *runtime) return std::string(runtime) + "/baton";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.baton";
  return ".baton";
}
}  // namespace

ParseOutcome parse_command_line(int argc, const char* const* argv) {
  CLI::App app{"baton: zero-downtime deploys, a reverse proxy and a process supervisor in one daemon"};
  app.require_subcommand(1);
  DaemonCommand daemon{.config_path = "", .home = default_home(), .log_level = std::nullopt};
  std::string level;
  auto* daemon_cmd = app.add_subcommand("daemon", "Run the daemon in the foreground");
  daemon_cmd->add_option("--config,-c", daemon.config_path, "TOML configuration file")->required();
  daemon_cmd->add_option("--home", daemon.home, "State directory (default $BATON_HOME, $XDG_RUNTIME_DIR/baton or ~/.baton)");
  daemon_cmd->add_option("--log-level", level, "trace, debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  CheckCommand check;
  auto* check_cmd = app.add_subcommand("check", "Validate a configuration file and exit");
  check_cmd->add_option("--config,-c", check.config_path, "TOML configuration file")->required();
  auto* version_cmd = app.add_subcommand("version", "Print the version");
  LsCommand ls{.home = default_home(), .json = false};
  auto* ls_cmd = app.add_subcommand("ls", "List every instance the daemon runs");
  ls_cmd->alias("status");
  ls_cmd->add_option("--home", ls.home, "The daemon's home directory");
  ls_cmd->add_flag("--json", ls.json, "Print the daemon's JSON");
  LogsCommand logs{.home = default_home(), .service = "", .lines = 20, .follow = false};
  auto* logs_cmd = app.add_subcommand("logs", "Show a service's output");
  logs_cmd->add_option("name", logs.service, "Service name")->required();
  logs_cmd->add_option("-n,--lines", logs.lines, "How many of the last lines (default 20)")
      ->check(CLI::Range(0u, 1000000u));
  logs_cmd->add_flag("-f,--follow", logs.follow, "Keep printing new lines");
  logs_cmd->add_option("--home", logs.home, "The daemon's home directory");

  ParseOutcome out;
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
  if (daemon_cmd->parsed()) {
    if (!level.empty()) daemon.log_level = level;
    out.command = daemon;
  } else if (check_cmd->parsed()) {
    out.command = check;
  } else if (logs_cmd->parsed()) {
    out.command = logs;
  } else if (ls_cmd->parsed()) {
    out.command = ls;
  } else if (version_cmd->parsed()) {
    out.command = VersionCommand{};
  }
  return out;
}
}  // namespace baton::cli
