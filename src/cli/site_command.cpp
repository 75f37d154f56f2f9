#include "cli/site_command.hpp"

#include <csignal>

#include "cli/command_line.hpp"
#include "cli/site_output.hpp"
#include "site/site_store.hpp"

namespace baton::cli {
namespace {
int publish(site::SiteStore& store, const SiteCommand& command, const SiteSettings& settings) {
  // Over a file-size limit (ulimit -f) a write must fail with EFBIG, so the partial release is
  // removed; the default action of SIGXFSZ would kill the process first.
  std::signal(SIGXFSZ, SIG_IGN);
  auto started = SteadyClock::now();
  auto published = store.publish(command.dir, {.version = command.version,
                                               .require_index = settings.require_index && !command.no_index,
                                               .keep = command.keep.value_or(settings.keep)});
  if (!published) return site_failure(command, published.error());
  print_published(command, *published, started);
  return kOk;
}

int rollback(site::SiteStore& store, const SiteCommand& command) {
  auto started = SteadyClock::now();
  auto live = store.rollback(command.to);
  if (!live) return site_failure(command, live.error());
  print_rolled_back(command, *live, started);
  return kOk;
}

int list(const site::SiteStore& store, const SiteCommand& command) {
  auto releases = store.list();
  if (!releases) return site_failure(command, releases.error());
  print_releases(command, *releases);
  return kOk;
}
}  // namespace

int run_site(const SiteCommand& command, const SiteSettings& settings) {
  auto store = site::SiteStore::open(settings.root);
  if (!store) return site_failure(command, store.error());
  switch (command.action) {
    case SiteAction::publish: return publish(*store, command, settings);
    case SiteAction::rollback: return rollback(*store, command);
    case SiteAction::ls: return list(*store, command);
  }
  return kFailed;
}
}  // namespace baton::cli
