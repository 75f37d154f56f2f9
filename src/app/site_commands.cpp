#include "app/site_commands.hpp"

#include "cli/remote_api.hpp"

#include <fmt/format.h>

#include "cli/command_line.hpp"
#include "cli/remote_site.hpp"
#include "cli/site_command.hpp"
#include "config/loader.hpp"

namespace baton {
namespace {
int usage(const std::string& message) {
  fmt::print(stderr, "baton: {}\n", message);
  return cli::kUsage;
}
}  // namespace

int run_site_command(const cli::SiteCommand& command) {
  if (!command.remote.empty() || cli::remote_in_use()) return cli::run_remote_site(command);
  if (!command.root.empty()) {
    if (!command.root.starts_with('/')) return usage(fmt::format("--root must be an absolute path, not '{}'", command.root));
    return cli::run_site(command, {.root = command.root, .keep = defaults::kSiteKeep, .require_index = true});
  }
  if (command.config_path.empty())
    return usage("site commands need --config FILE (the daemon's config) or --root DIR (the site's root)");
  auto config = load_config_file(command.config_path);
  if (!config) return usage(config.error());
  auto it = config->sites.find(command.site);
  if (it == config->sites.end())
    return usage(fmt::format("{}: no site '{}' (add a [sites.{}] table)", command.config_path, command.site,
                             command.site));
  const auto& site = it->second;
  return cli::run_site(command, {.root = site.root, .keep = site.keep, .require_index = site.require_index});
}
}  // namespace baton
