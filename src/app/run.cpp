#include "app/run.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "app/daemon.hpp"
#include "app/keeper.hpp"
#include "app/systemd.hpp"
#include "app/upgrade_command.hpp"
#include "app/version.hpp"
#include "app/site_commands.hpp"
#include "cli/token_command.hpp"
#include "config/contexts_reader.hpp"
#include "cli/apply_command.hpp"
#include "cli/command_line.hpp"
#include "cli/daemon_starter.hpp"
#include "cli/deploy_command.hpp"
#include "cli/describe_command.hpp"
#include "cli/logs_command.hpp"
#include "cli/ls_command.hpp"
#include "cli/monit_command.hpp"
#include "config/loader.hpp"
#include "state/schema.hpp"

namespace baton {
namespace {
int write_startup_unit(const cli::StartupCommand& command) {
  namespace fs = std::filesystem;
  std::error_code ec;
  UnitOptions options{.binary = fs::canonical("/proc/self/exe", ec).string(),
                      .config = command.config_path.empty() ? "" : fs::absolute(command.config_path).string(),
                      .home = fs::absolute(command.home).string()};
  // The unit's `baton keeper` runs the baton-keeper beside baton: without it the service could not start.
  if (auto keeper = keeper_beside_self(); ::access(keeper.c_str(), X_OK) != 0) {
    fmt::print(stderr, "baton: no baton-keeper beside baton ({}): install it there, the unit runs it\n", keeper);
    return cli::kFailed;
  }
  auto unit = systemd_unit(options);
  if (command.print) {
    fmt::print("{}", unit);
    return cli::kOk;
  }
  auto temporary = command.unit_path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << unit;
    if (!out.flush()) {
      fmt::print(stderr, "baton: cannot write {}: {}\n", temporary, std::strerror(errno));
      return cli::kFailed;
    }
  }
  fs::rename(temporary, command.unit_path, ec);
  if (ec) {
    fmt::print(stderr, "baton: cannot write {}: {}\n", command.unit_path, ec.message());
    return cli::kFailed;
  }
  fmt::print("wrote {}\nnow: systemctl daemon-reload && systemctl enable --now baton\n", command.unit_path);
  return cli::kOk;
}

// Commands that act on this machine (a daemon, its binary, its unit, files here): never remote.
std::optional<std::string_view> local_only_command(const cli::Command& command) {
  if (std::holds_alternative<cli::DaemonCommand>(command)) return "daemon";
  if (std::holds_alternative<cli::CheckCommand>(command)) return "check";
  if (std::holds_alternative<cli::ImportCommand>(command)) return "import";
  if (std::holds_alternative<cli::StartupCommand>(command)) return "startup";
  if (std::holds_alternative<cli::UpgradeCommand>(command)) return "upgrade";
  if (std::holds_alternative<cli::VersionCommand>(command)) return "version";
  return std::nullopt;
}

int check_config(const cli::CheckCommand& command) {
  auto config = load_config_file(command.config_path);
  if (!config) {
    fmt::print(stderr, "{}\n", config.error());
    return cli::kUsage;
  }
  fmt::print("{}: ok ({} services, {} sites)\n", command.config_path, config->services.size(), config->sites.size());
  return cli::kOk;
}
}  // namespace

int run(int argc, const char* const* argv) {
  auto parsed = cli::parse_command_line(argc, argv);
  if (!parsed.command) {
    fmt::print(parsed.exit_code == 0 ? stdout : stderr, "{}\n", parsed.message);
    return parsed.exit_code;
  }
  auto remote = cli::resolve_remote(
      parsed.remote, [](const char* name) { return std::getenv(name); },
      [](const std::string& file, const std::string& name) -> std::expected<cli::ContextEntry, std::string> {
        auto found = config::read_remote_context(file, name);
        if (!found) return std::unexpected(found.error());
        return cli::ContextEntry{found->remote, found->token_file};
      });
  if (!remote) {
    fmt::print(stderr, "baton: {}\n", remote.error());
    return cli::kUsage;
  }
  if (*remote) {
    if (auto local_only = local_only_command(*parsed.command)) {
      fmt::print(stderr, "baton: {} runs on the daemon's own machine: it does not take --remote, --context or "
                         "BATON_REMOTE\n", *local_only);
      return cli::kUsage;
    }
    cli::use_remote(std::move(*remote));
  }
  if (auto* daemon = std::get_if<cli::DaemonCommand>(&*parsed.command))
    return daemon->keeper ? run_keeper(*daemon) : run_daemon(*daemon);
  // Starting a daemon only to stop it, or to watch it stop, makes no sense.
  cli::allow_daemon_start(!std::holds_alternative<cli::ShutdownCommand>(*parsed.command));
  if (auto* check = std::get_if<cli::CheckCommand>(&*parsed.command)) return check_config(*check);
  if (auto* import = std::get_if<cli::ImportCommand>(&*parsed.command)) return cli::run_import(*import);
  if (auto* startup = std::get_if<cli::StartupCommand>(&*parsed.command)) return write_startup_unit(*startup);
  if (auto* upgrade = std::get_if<cli::UpgradeCommand>(&*parsed.command))
    return upgrade->keeper ? run_keeper_upgrade(upgrade->home, upgrade->binary) : run_upgrade(upgrade->home, upgrade->binary);
  if (auto* ls = std::get_if<cli::LsCommand>(&*parsed.command)) return cli::run_ls(ls->home, ls->json, ls->service);
  if (auto* describe = std::get_if<cli::DescribeCommand>(&*parsed.command)) return cli::run_describe(*describe);
  if (auto* monit = std::get_if<cli::MonitCommand>(&*parsed.command)) return cli::run_monit(*monit);
  if (auto* logs = std::get_if<cli::LogsCommand>(&*parsed.command))
    return logs->flush ? cli::run_flush(*logs) : cli::run_logs(*logs);
  if (auto* deploy = std::get_if<cli::DeployCommand>(&*parsed.command)) return cli::run_deploy(*deploy);
  if (auto* rollback = std::get_if<cli::RollbackCommand>(&*parsed.command)) return cli::run_rollback(*rollback);
  if (auto* releases = std::get_if<cli::ReleasesCommand>(&*parsed.command)) return cli::run_releases(*releases);
  if (auto* pause = std::get_if<cli::PauseCommand>(&*parsed.command)) return cli::run_pause(*pause);
  if (auto* service = std::get_if<cli::ServiceCommand>(&*parsed.command)) return cli::run_service(*service);
  if (auto* shutdown = std::get_if<cli::ShutdownCommand>(&*parsed.command)) return cli::run_shutdown(*shutdown);
  if (auto* apply = std::get_if<cli::ApplyCommand>(&*parsed.command)) return cli::run_apply(*apply);
  if (auto* site = std::get_if<cli::SiteCommand>(&*parsed.command)) return run_site_command(*site);
  if (auto* token = std::get_if<cli::TokenCommand>(&*parsed.command)) return cli::run_token(*token);
  // The second line tells `baton upgrade` which state files this build can use.
  fmt::print("baton {}\nstate schema {}\n", baton_version(), state::kSchemaVersion);
  return cli::kOk;
}
}  // namespace baton
