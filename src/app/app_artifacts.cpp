#include "app/app_artifacts.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include <fmt/format.h>

#include "base/unique_fd.hpp"
#include "site/archive_extract.hpp"
#include "site/file_util.hpp"
#include "site/tree_copy.hpp"

namespace baton {
namespace {
constexpr std::string_view kPlaceholder = "{release_dir}";
constexpr std::string_view kStagingPrefix = ".staging-";

void replace_all(std::string& text, std::string_view what, const std::string& with) {
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
    text.replace(at, what.size(), with);
}

// "20261207T233100Z-3": sorts by time, unique within a daemon.
std::string directory_name(unsigned sequence) {
  auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  return fmt::format("{}-{}-{}", stamp, ::getpid(), sequence);
}

// An archive of the build (tar in any compression, or zip), read with the site publisher's rules.
std::expected<site::TreeStats, std::string> unpack(const std::filesystem::path& archive, const std::string& shown,
                                                   int dirfd) {
  UniqueFd fd(::open(archive.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::unexpected(site::errno_message("cannot open", shown));
  site::ArchiveReader reader(site::file_source(fd.get(), shown));
  auto extracted = site::extract_archive(reader, dirfd);
  if (!extracted) return std::unexpected(extracted.error().message);
  return *extracted;
}

// Capistrano's linked_dirs and linked_files: the entry in the release is a link into shared/,
// so uploads, caches and a .env outlive releases. The first release seeds shared/ with what its
// build holds there (moved, not copied); later builds' own copies give way to the link.
std::expected<void, std::string> link_shared(const std::filesystem::path& release, const std::filesystem::path& root,
                                             const std::vector<std::string>& entries) {
  namespace fs = std::filesystem;
  for (const auto& entry : entries) {
    std::error_code ec;
    auto in_release = release / entry;
    auto target = root / entry;
    auto fail = [&](std::string_view what, const fs::path& path) {
      return std::unexpected(fmt::format("shared '{}': cannot {} {}: {}", entry, what, path.string(), ec.message()));
    };
    fs::create_directories(target.parent_path(), ec);
    if (ec) return fail("create", target.parent_path());
    bool in_build = fs::exists(fs::symlink_status(in_release, ec));
    if (!fs::exists(fs::symlink_status(target, ec))) {
      if (in_build) fs::rename(in_release, target, ec);
      else fs::create_directory(target, ec);
      if (ec) return fail("create", target);
      in_build = false;
    }
    if (in_build && fs::remove_all(in_release, ec) == static_cast<std::uintmax_t>(-1)) return fail("replace", in_release);
    fs::create_directories(in_release.parent_path(), ec);
    if (ec) return fail("create", in_release.parent_path());
    fs::create_symlink(target, in_release, ec);
    if (ec) return fail("link", in_release);
  }
  return {};
}

void sync_directory(const std::filesystem::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd) (void)site::fsync_fd(fd.get(), dir.string());  // the rename is durable at the next sync anyway
}
}  // namespace

std::expected<std::filesystem::path, std::string> AppArtifacts::store(const std::string& service,
                                                                      const std::string& from,
                                                                      const std::vector<std::string>& shared,
                                                                      const std::string& shown_as) {
  std::error_code ec;
  const std::string& shown = shown_as.empty() ? from : shown_as;
  std::filesystem::path source(from);
  if (!source.is_absolute()) return std::unexpected(fmt::format("from must be an absolute path, not '{}'", shown));
  bool archive = std::filesystem::is_regular_file(source, ec);
  if (!archive && !std::filesystem::is_directory(source, ec))
    return std::unexpected(fmt::format("cannot deploy from {}: not a directory or an archive", shown));
  auto releases = releases_dir(service);
  std::filesystem::create_directories(releases, ec);
  if (ec) return std::unexpected(fmt::format("cannot create {}: {}", releases.string(), ec.message()));
  auto name = directory_name(++sequence_);
  auto staging = releases / (std::string(kStagingPrefix) + name);
  auto final_dir = releases / name;
  if (!std::filesystem::create_directory(staging, ec))
    return std::unexpected(fmt::format("cannot create {}: {}", staging.string(), ec ? ec.message() : "it exists"));
  auto abandon = [&](std::string why) {
    std::error_code ignored;
    std::filesystem::remove_all(staging, ignored);
    return std::unexpected(std::move(why));
  };
  {
    UniqueFd dirfd(::open(staging.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dirfd) return abandon(fmt::format("cannot open {}", staging.string()));
    auto copied = archive ? unpack(source, shown, dirfd.get()) : site::copy_tree(source.string(), dirfd.get());
    if (!copied) return abandon(fmt::format("cannot deploy from {}: {}", shown, copied.error()));
  }
  if (auto linked = link_shared(staging, shared_dir(service), shared); !linked) return abandon(linked.error());
  // Complete or absent: the name appears only once every file is on disk.
  std::filesystem::rename(staging, final_dir, ec);
  if (ec) return abandon(fmt::format("cannot rename {}: {}", staging.string(), ec.message()));
  sync_directory(releases);
  return final_dir;
}

std::size_t AppArtifacts::prune(const std::string& service, const std::set<std::string>& in_use) const {
  std::error_code ec;
  std::size_t removed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(releases_dir(service), ec)) {
    // A staging directory here was left by a copy a crash cut short: store() and prune() run one
    // after the other on the control thread, so none is in progress.
    if (in_use.contains(entry.path().string())) continue;
    std::error_code ignored;
    if (std::filesystem::remove_all(entry.path(), ignored) > 0) ++removed;
  }
  return removed;
}

void AppArtifacts::forget_stale_uploads(const std::string& service) const {
  constexpr auto kUploadLifetime = std::chrono::hours(24);
  std::error_code ec;
  auto now = std::filesystem::file_time_type::clock::now();
  for (const auto& entry : std::filesystem::directory_iterator(uploads_dir(service), ec)) {
    std::error_code ignored;
    auto written = entry.last_write_time(ignored);
    if (!ignored && now - written > kUploadLifetime) std::filesystem::remove(entry.path(), ignored);
  }
}

void AppArtifacts::discard(const std::string& service, const std::string& dir) const {
  std::filesystem::path path(dir);
  if (dir.empty() || path.parent_path() != releases_dir(service)) return;
  std::error_code ignored;
  std::filesystem::remove_all(path, ignored);
}

void use_release_dir(deploy::ReleaseSpec& spec, const std::string& dir) {
  spec.cwd = dir;
  for (auto& word : spec.command) replace_all(word, kPlaceholder, dir);
  for (auto& [name, value] : spec.env) replace_all(value, kPlaceholder, dir);
}
}  // namespace baton
