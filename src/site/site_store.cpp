#include "site/site_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include <fmt/format.h>

#include "site/file_util.hpp"
#include "site/release_choice.hpp"
#include "site/release_id.hpp"
#include "site/tree_copy.hpp"

namespace baton::site {
namespace {
constexpr std::string_view kPartialPrefix = ".partial-";
constexpr std::size_t kMaxMetaBytes = 64 * 1024;

std::string release_path(std::string_view id) { return fmt::format("{}/{}", kReleasesDir, id); }

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool is_directory_at(int dirfd, const std::string& name) {
  struct stat st{};
  return ::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> entries_named(int root_fd, bool (*wanted)(std::string_view)) {
  std::vector<std::string> names;
  int fd = ::openat(root_fd, std::string(kReleasesDir).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* dir = fd < 0 ? nullptr : ::fdopendir(fd);
  if (!dir) {
    if (fd >= 0) ::close(fd);
    return names;
  }
  while (auto* entry = ::readdir(dir))
    if (wanted(entry->d_name)) names.emplace_back(entry->d_name);
  ::closedir(dir);
  std::ranges::sort(names);
  return names;
}


bool is_partial(std::string_view name) { return name.starts_with(kPartialPrefix); }
bool is_release(std::string_view name) { return is_release_id(name); }
}  // namespace

std::vector<std::string> list_release_ids(int root_fd) { return entries_named(root_fd, is_release); }

std::string read_live_id(int root_fd) {
  auto target = read_link_at(root_fd, std::string(kCurrentLink).c_str());
  if (!target) return {};
  std::string_view link(*target);
  while (link.ends_with('/')) link.remove_suffix(1);
  auto id = link.substr(link.rfind('/') + 1);
  return is_release_id(id) ? std::string(id) : std::string();
}

std::expected<SiteStore, std::string> SiteStore::open(const std::string& root) {
  if (::mkdir(root.c_str(), 0755) != 0 && errno != EEXIST)
    return std::unexpected(errno_message("cannot create the site root", root));
  Fd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return std::unexpected(errno_message("cannot open the site root", root));
  if (::mkdirat(fd.get(), std::string(kReleasesDir).c_str(), 0755) != 0 && errno != EEXIST)
    return std::unexpected(errno_message("cannot create", root + "/releases"));
  return SiteStore(root, std::move(fd));
}

std::expected<Fd, std::string> SiteStore::lock() const {
  Fd fd(::openat(root_fd_.get(), ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) return std::unexpected(errno_message("cannot open the lock file in", root_));
  if (::flock(fd.get(), LOCK_EX) != 0) return std::unexpected(errno_message("cannot lock", root_ + "/.lock"));
  return fd;
}

std::expected<std::vector<std::string>, std::string> SiteStore::ids() const {
  if (!is_directory_at(root_fd_.get(), std::string(kReleasesDir)))
    return std::unexpected(fmt::format("'{}/releases' is not a directory", root_));
  return list_release_ids(root_fd_.get());
}

std::expected<std::string, std::string> SiteStore::live() const {
  struct stat st{};
  auto current = std::string(kCurrentLink);
  if (::fstatat(root_fd_.get(), current.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return std::string();
    return std::unexpected(errno_message("cannot inspect", root_ + "/current"));
  }
  if (!S_ISLNK(st.st_mode))
    return std::unexpected(fmt::format("'{}/current' is not a symlink: move it away, then publish", root_));
  return read_live_id(root_fd_.get());
}

// A new symlink under a temporary name, renamed over `current`: rename(2) replaces the old link
// in one step, where `ln -sfn` unlinks it first and leaves a moment with no `current` at all.
Status SiteStore::make_live(const std::string& id) {
  if (auto live_now = live(); !live_now) return std::unexpected(live_now.error());
  auto temporary = fmt::format(".current-{}-{}", ::getpid(), id);
  ::unlinkat(root_fd_.get(), temporary.c_str(), 0);
  if (::symlinkat(release_path(id).c_str(), root_fd_.get(), temporary.c_str()) != 0)
    return std::unexpected(errno_message("cannot create a symlink in", root_));
  if (::renameat(root_fd_.get(), temporary.c_str(), root_fd_.get(), std::string(kCurrentLink).c_str()) != 0) {
    auto message = errno_message("cannot replace", root_ + "/current");
    ::unlinkat(root_fd_.get(), temporary.c_str(), 0);
    return std::unexpected(message);
  }
  return fsync_fd(root_fd_.get(), root_);
}

Status SiteStore::prune(unsigned keep) {
  auto all = ids();
  auto live_id = live();
  if (!all || !live_id) return {};
  Fd releases(::openat(root_fd_.get(), std::string(kReleasesDir).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!releases) return std::unexpected(errno_message("cannot open", root_ + "/releases"));
  for (const auto& id : releases_to_prune(*all, *live_id, keep))
    if (auto removed = remove_tree_at(releases.get(), id); !removed) return removed;
  return {};
}

// Ids are times to the microsecond; two publishes in one microsecond get the next free one.
std::expected<std::string, std::string> SiteStore::new_release_id() const {
  auto when = std::chrono::system_clock::now();
  for (int attempt = 0; attempt < 1000; ++attempt, when += std::chrono::microseconds(1)) {
    auto id = make_release_id(when);
    auto all = list_release_ids(root_fd_.get());
    if (all.empty() || all.back() < id) return id;
    when = std::max(when, std::chrono::system_clock::now());
  }
  return std::unexpected(fmt::format("cannot pick a release id in '{}': the newest one is in the future", root_));
}

std::expected<ReleaseInfo, PublishError> SiteStore::fill_release(const TreeFiller& fill, std::string_view source,
                                                                 const std::string& id, const std::string& partial,
                                                                 const PublishOptions& options) {
  Fd dir(::openat(root_fd_.get(), partial.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir) return failed(errno_message("cannot open", root_ + "/" + partial));
  auto stats = fill(dir.get());
  if (!stats) return std::unexpected(stats.error());
  if (stats->files == 0) return refused(fmt::format("{} is empty: nothing to publish", source));
  struct stat st{};
  bool has_index = ::fstatat(dir.get(), "index.html", &st, 0) == 0 && S_ISREG(st.st_mode);
  if (options.require_index && !has_index)
    return refused(fmt::format("{} has no index.html (publish with --no-index to allow that)", source));
  ReleaseInfo info{.id = id,
                   .meta = {.version = options.version.empty() ? id : options.version,
                            .published_unix = unix_now(),
                            .files = stats->files,
                            .bytes = stats->bytes},
                   .has_meta = true,
                   .live = true};
  if (auto written = write_file_at(dir.get(), std::string(kMetaFile), format_meta(info.meta)); !written)
    return failed(written.error());
  if (auto synced = fsync_fd(dir.get(), partial); !synced) return failed(synced.error());
  return info;
}

std::expected<ReleaseInfo, std::string> SiteStore::publish(const std::string& build_dir,
                                                           const PublishOptions& options) {
  auto copy = [&](int release_dirfd) -> std::expected<TreeStats, PublishError> {
    auto stats = copy_tree(build_dir, release_dirfd);
    if (!stats) return failed(stats.error());
    return *stats;
  };
  auto published = publish_tree(copy, fmt::format("'{}'", build_dir), options);
  if (!published) return std::unexpected(std::move(published.error().message));
  return std::move(*published);
}

std::expected<ReleaseInfo, PublishError> SiteStore::publish_tree(const TreeFiller& fill, std::string_view source,
                                                                 const PublishOptions& options) {
  auto held = lock();
  if (!held) return failed(held.error());
  if (auto live_now = live(); !live_now) return failed(live_now.error());
  for (const auto& stale : entries_named(root_fd_.get(), is_partial))
    (void)remove_tree_at(root_fd_.get(), release_path(stale));  // left by a publish that crashed
  auto id = new_release_id();
  if (!id) return failed(id.error());
  auto partial = release_path(std::string(kPartialPrefix) + *id);
  if (::mkdirat(root_fd_.get(), partial.c_str(), 0755) != 0)
    return failed(errno_message("cannot create", root_ + "/" + partial));
  auto info = fill_release(fill, source, *id, partial, options);
  if (info && ::renameat(root_fd_.get(), partial.c_str(), root_fd_.get(), release_path(*id).c_str()) != 0)
    info = failed(errno_message("cannot rename", root_ + "/" + partial));
  if (!info) {
    (void)remove_tree_at(root_fd_.get(), partial);
    return info;
  }
  auto made_live = make_live(*id);
  if (!made_live) {
    (void)remove_tree_at(root_fd_.get(), release_path(*id));
    return failed(made_live.error());
  }
  if (auto pruned = prune(options.keep); !pruned)
    return failed(fmt::format("release {} is live, but pruning failed: {}", *id, pruned.error()));
  return info;
}

std::expected<std::string, std::string> SiteStore::rollback(std::string_view to) {
  auto held = lock();
  if (!held) return std::unexpected(held.error());
  auto all = ids();
  if (!all) return std::unexpected(all.error());
  auto live_id = live();
  if (!live_id) return std::unexpected(live_id.error());
  auto target = rollback_target(*all, *live_id, to);
  if (!target) return target;
  if (auto made_live = make_live(*target); !made_live) return std::unexpected(made_live.error());
  return target;
}

std::expected<std::vector<ReleaseInfo>, std::string> SiteStore::list() const {
  auto all = ids();
  if (!all) return std::unexpected(all.error());
  auto live_id = live();
  if (!live_id) return std::unexpected(live_id.error());
  std::vector<ReleaseInfo> releases;
  for (const auto& id : *all) {
    ReleaseInfo info{.id = id, .meta = {}, .has_meta = false, .live = id == *live_id};
    Fd dir(::openat(root_fd_.get(), release_path(id).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    auto text = dir ? read_small_file_at(dir.get(), std::string(kMetaFile), kMaxMetaBytes)
                    : std::expected<std::string, std::string>(std::unexpected(std::string()));
    if (auto meta = text ? parse_meta(*text) : std::nullopt) {
      info.meta = std::move(*meta);
      info.has_meta = true;
    }
    releases.push_back(std::move(info));
  }
  return releases;
}
}  // namespace baton::site
