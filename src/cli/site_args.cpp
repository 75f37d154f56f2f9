#include "cli/site_args.hpp"

#include <CLI/CLI.hpp>

namespace baton::cli {
namespace {
void add_location(CLI::App& command, SiteCommand& args) {
  command.add_option("name", args.site, "Site name ([sites.NAME] in the config)")->required();
  auto* config = command.add_option("--config,-c", args.config_path, "The daemon's TOML config, for the site's root");
  auto* root = command.add_option("--root", args.root, "The site's root directory (instead of --config)");
  auto* remote = command.add_option("--remote", args.remote, "A daemon's admin listener, http://HOST:PORT");
  auto* token = command.add_option("--token", args.token_file, "With --remote: the file holding its token");
  config->excludes(root);
  root->excludes(config);
  remote->excludes(config)->excludes(root)->needs(token);
  token->needs(remote);
}
}  // namespace

SiteArgs::SiteArgs(CLI::App& app) {
  site_ = app.add_subcommand("site", "Publish, roll back and list a static site's releases");
  site_->require_subcommand(1);
  publish_ = site_->add_subcommand("publish", "Copy a build into a new release and make it live");
  publish_args_.action = SiteAction::publish;
  add_location(*publish_, publish_args_);
  publish_->add_option("dir", publish_args_.dir, "The build directory")->required();
  publish_->add_option("--version", publish_args_.version, "Version label (default: the release id)");
  publish_->add_flag("--no-index", publish_args_.no_index, "Allow a build without index.html");
  publish_->add_option("--keep", publish_args_.keep, "Releases to keep (default: the site's keep)")
      ->check(CLI::Range(2u, 1000u));
  rollback_ = site_->add_subcommand("rollback", "Make an earlier release live again");
  rollback_args_.action = SiteAction::rollback;
  add_location(*rollback_, rollback_args_);
  rollback_->add_option("--to", rollback_args_.to, "Release id (default: the one before the live one)");
  ls_ = site_->add_subcommand("ls", "List a site's releases");
  ls_args_.action = SiteAction::ls;
  add_location(*ls_, ls_args_);
  ls_->add_flag("--json", ls_args_.json, "Print JSON");
}

std::optional<SiteCommand> SiteArgs::parsed() const {
  if (publish_->parsed()) return publish_args_;
  if (rollback_->parsed()) return rollback_args_;
  if (ls_->parsed()) return ls_args_;
  return std::nullopt;
}
}  // namespace baton::cli
