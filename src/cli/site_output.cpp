#include "cli/site_output.hpp"

#include <ctime>

#include <fmt/format.h>

#include "cli/command_line.hpp"
#include "cli/site_json.hpp"

namespace baton::cli {
namespace {
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
}  // namespace

int site_failure(const SiteCommand& command, const std::string& what) {
  fmt::print(stderr, "baton: site {}: {}\n", command.site, what);
  return kFailed;
}

void print_published(const SiteCommand& command, const site::ReleaseInfo& release, SteadyClock::time_point started) {
  fmt::print("site {}: release {} ({}) is live: {} files, {}, in {:.1f} ms\n", command.site, release.id,
             release.meta.version, release.meta.files, human_size(release.meta.bytes), millis_since(started));
}

void print_rolled_back(const SiteCommand& command, const std::string& id, SteadyClock::time_point started) {
  fmt::print("site {}: release {} is live again, in {:.2f} ms\n", command.site, id, millis_since(started));
}

void print_releases(const SiteCommand& command, const std::vector<site::ReleaseInfo>& releases) {
  if (command.json) {
    fmt::print("{}\n", site_releases_json(releases).dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    return;
  }
  if (releases.empty()) fmt::print("site {}: no releases yet\n", command.site);
  else fmt::print("{:<24} {:<20} {:>7} {:>9}  {:<19}  {}\n", "ID", "VERSION", "FILES", "SIZE", "PUBLISHED", "LIVE");
  for (const auto& r : releases) {
    auto when = r.has_meta ? local_time(r.meta.published_unix) : std::string("-");
    fmt::print("{:<24} {:<20} {:>7} {:>9}  {:<19}  {}\n", r.id, r.has_meta ? r.meta.version : "-",
               r.meta.files, human_size(r.meta.bytes), when, r.live ? "live" : "");
  }
}
}  // namespace baton::cli
