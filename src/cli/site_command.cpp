#include "cli/site_command.hpp"

#include <csignal>
#include <chrono>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command_line.hpp"
#include "site/site_store.hpp"

namespace baton::cli {
namespace {
using SteadyClock = std::chrono::steady_clock;

std::string human_size(std::uint64_t bytes) {
  if (bytes >= (1u << 20)) return fmt::format("{:.1f}M", bytes / 1048576.0);
  if (bytes >= 1024) return fmt::format("{:.1f}K", bytes / 1024.0);
  return fmt::format("{}B", bytes);
}

std::string local_time(std::int64_t unix_seconds) {
  std::time_t t = unix_seconds;
  std::tm local{};
  localtime_r(&t, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
  return text;
}

double millis_since(SteadyClock::time_point start) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

int fail(const SiteCommand& command, const std::string& what) {
  fmt::print(stderr, "baton: site {}: {}\n", command.site, what);
  return kFailed;
}

int publish(site::SiteStore& store, const SiteCommand& command, const SiteSettings& settings) {
  // Over a file-size limit (ulimit -f) a write must fail with EFBIG, so the partial release is
  // removed; the default action of SIGXFSZ would kill the process first.
  std::signal(SIGXFSZ, SIG_IGN);
  auto started = SteadyClock::now();
  auto published = store.publish(command.dir, {.version = command.version,
                                               .require_index = settings.require_index && !command.no_index,
                                               .keep = command.keep.value_or(settings.keep)});
  if (!published) return fail(command, published.error());
  fmt::print("site {}: release {} ({}) is live: {} files, {}, in {:.1f} ms\n", command.site, published->id,
             published->meta.version, published->meta.files, human_size(published->meta.bytes),
             millis_since(started));
  return kOk;
}

int rollback(site::SiteStore& store, const SiteCommand& command) {
  auto started = SteadyClock::now();
  auto live = store.rollback(command.to);
  if (!live) return fail(command, live.error());
  fmt::print("site {}: release {} is live again, in {:.2f} ms\n", command.site, *live, millis_since(started));
  return kOk;
}

void print_json(const std::vector<site::ReleaseInfo>& releases) {
  auto list = nlohmann::json::array();
  for (const auto& r : releases)
    list.push_back({{"id", r.id}, {"version", r.meta.version}, {"files", r.meta.files},
                    {"bytes", r.meta.bytes}, {"published", r.meta.published_unix}, {"live", r.live}});
  fmt::print("{}\n", nlohmann::json{{"releases", list}}.dump(2));
}

int list(const site::SiteStore& store, const SiteCommand& command) {
  auto releases = store.list();
  if (!releases) return fail(command, releases.error());
  if (command.json) {
    print_json(*releases);
    return kOk;
  }
  if (releases->empty()) fmt::print("site {}: no releases yet\n", command.site);
  else fmt::print("{:<24} {:<20} {:>7} {:>9}  {:<19}  {}\n", "ID", "VERSION", "FILES", "SIZE", "PUBLISHED", "LIVE");
  for (const auto& r : *releases) {
    auto when = r.has_meta ? local_time(r.meta.published_unix) : std::string("-");
    fmt::print("{:<24} {:<20} {:>7} {:>9}  {:<19}  {}\n", r.id, r.has_meta ? r.meta.version : "-",
               r.meta.files, human_size(r.meta.bytes), when, r.live ? "live" : "");
  }
  return kOk;
}
}  // namespace

int run_site(const SiteCommand& command, const SiteSettings& settings) {
  auto store = site::SiteStore::open(settings.root);
  if (!store) return fail(command, store.error());
  switch (command.action) {
    case SiteAction::publish: return publish(*store, command, settings);
    case SiteAction::rollback: return rollback(*store, command);
    case SiteAction::ls: return list(*store, command);
  }
  return kFailed;
}
}  // namespace baton::cli
