#include "proxy/static_lookup.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <utility>

#include "http/static_rules.hpp"
#include "site/release_meta.hpp"
#include "site/site_store.hpp"

namespace baton::proxy {
namespace {
constexpr std::string_view kIndex = "index.html";

std::string index_of(std::string_view directory) {
  if (directory.empty()) return std::string(kIndex);
  std::string path(directory);
  path += '/';
  path += kIndex;
  return path;
}

// An open regular file beneath `dirfd`, or an empty Fd. Sets `is_directory` when the name is a
// directory (the caller redirects or looks for its index).
site::Fd open_regular(int dirfd, const std::string& relative, struct stat& st, bool* is_directory = nullptr) {
  site::Fd fd(open_beneath(dirfd, relative));
  if (!fd || ::fstat(fd.get(), &st) != 0) return {};
  if (S_ISREG(st.st_mode)) return fd;
  if (is_directory) *is_directory = S_ISDIR(st.st_mode);
  return {};
}

// A precompressed sibling ("app.js.br") is served in place of the file when the client takes its
// coding; it is found beneath the same release, so it belongs to the same build.
void prefer_precompressed(int release, const LookupRequest& request, LookupResult& result) {
  auto type = http::content_type_for(result.name);
  result.compressible = http::is_compressible(type);
  if (!result.compressible) return;
  struct Candidate {
    bool wanted;
    std::string_view suffix;
    std::string_view coding;
  };
  for (auto candidate : {Candidate{request.accepts_br, ".br", "br"}, Candidate{request.accepts_gzip, ".gz", "gzip"}}) {
    if (!candidate.wanted) continue;
    struct stat st{};
    auto fd = open_regular(release, result.name + std::string(candidate.suffix), st);
    if (!fd) continue;
    result.file = std::move(fd);
    result.st = st;
    result.coding = candidate.coding;
    return;
  }
}

bool open_into(int dirfd, std::string name, FileOrigin origin, LookupResult& result) {
  result.file = open_regular(dirfd, name, result.st);
  if (!result.file) return false;
  result.outcome = LookupOutcome::found;
  result.origin = origin;
  result.name = std::move(name);
  return true;
}

// After a swap, tabs still running the previous build ask for chunks the new one no longer has.
// Names with a content hash are immutable, so the copy in a kept earlier release is the very
// file they expect.
bool open_from_earlier_release(const StaticSite& site, const std::string& relative, LookupResult& result) {
  site::Fd root(::open(site.root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root) return false;
  auto live = site::read_live_id(root.get());
  auto ids = site::list_release_ids(root.get());
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    if (*it == live) continue;
    site::Fd release(open_beneath(root.get(), std::string(site::kReleasesDir) + "/" + *it));
    if (release && open_into(release.get(), relative, FileOrigin::earlier_release, result)) return true;
  }
  return false;
}

void fall_back(const StaticSite& site, int release, const LookupRequest& request, LookupResult& result) {
  std::string relative(request.relative);
  if (http::is_content_hashed(relative) && open_from_earlier_release(site, relative, result)) return;
  if (site.spa && http::has_no_extension(relative) && open_into(release, std::string(kIndex), FileOrigin::spa_fallback, result))
    return;
  if (!site.not_found.empty() && open_into(release, site.not_found, FileOrigin::not_found_page, result)) return;
  result.outcome = LookupOutcome::not_found;
}
}  // namespace

int open_beneath(int dirfd, const std::string& relative) {
  struct open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd;
  do {
    fd = ::syscall(SYS_openat2, dirfd, relative.c_str(), &how, sizeof how);
  } while (fd < 0 && errno == EAGAIN);
  return static_cast<int>(fd);
}

namespace {
// What `current` names now: empty when it is not a symlink (or is missing).
std::string_view read_current(const StaticSite& site, char (&target)[PATH_MAX]) {
  auto length = ::readlink(site.current_path.c_str(), target, sizeof target);
  if (length <= 0 || static_cast<std::size_t>(length) == sizeof target) return {};
  return {target, static_cast<std::size_t>(length)};
}
}  // namespace

int ReleaseDirCache::live_release(const StaticSite& site) {
  char target[PATH_MAX];
  auto named = read_current(site, target);
  auto entry = find(site);
  if (!named.empty() && entry != entries_.end() && entry->target == named) return entry->dir.get();
  site::Fd dir;
  if (!named.empty()) {
    // Opened by the name just read, not through `current`: a swap in between cannot file one
    // release's directory under another's name. O_NOFOLLOW: a name that is itself a symlink
    // (current -> live -> releases/X, made by hand) may change behind it, so it is not cached.
    std::string path = named.starts_with('/') ? std::string(named) : site.root + "/" + std::string(named);
    dir = site::Fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir && errno != ELOOP && errno != ENOTDIR) return -1;  // ENOTDIR: O_DIRECTORY met the link first
  }
  bool cacheable = static_cast<bool>(dir);
  // `current` a directory, or a chain of links: opened through it, for this request alone.
  if (!dir) dir = site::Fd(::open(site.current_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return -1;
  if (entry == entries_.end()) entry = entries_.insert(entries_.end(), Entry{site.current_path, {}, {}});
  entry->target = cacheable ? std::string(named) : std::string();  // "" never matches a readlink
  entry->dir = std::move(dir);
  return entry->dir.get();
}

bool ReleaseDirCache::still_live(const StaticSite& site) const {
  char target[PATH_MAX];
  auto entry = std::as_const(*this).find(site);
  return entry != entries_.end() && !entry->target.empty() && entry->target == read_current(site, target);
}

void ReleaseDirCache::forget(const StaticSite& site) {
  if (auto entry = find(site); entry != entries_.end()) entries_.erase(entry);
}

std::vector<ReleaseDirCache::Entry>::const_iterator ReleaseDirCache::find(const StaticSite& site) const {
  return std::ranges::find(entries_, site.current_path, &Entry::current_path);
}

std::vector<ReleaseDirCache::Entry>::iterator ReleaseDirCache::find(const StaticSite& site) {
  return std::ranges::find(entries_, site.current_path, &Entry::current_path);
}

namespace {
// A release directory that was removed (pruned, or replaced by hand) while open has no links.
bool removed(int dirfd) {
  struct stat st{};
  return ::fstat(dirfd, &st) == 0 && st.st_nlink == 0;
}

LookupResult look_up_in(const StaticSite& site, int release, const LookupRequest& request) {
  LookupResult result;
  bool is_directory = false;
  std::string wanted = request.relative.empty() || request.trailing_slash ? index_of(request.relative)
                                                                          : std::string(request.relative);
  result.file = open_regular(release, wanted, result.st, &is_directory);
  if (result.file) {
    result.outcome = LookupOutcome::found;
    result.name = std::move(wanted);
    prefer_precompressed(release, request, result);
    return result;
  }
  if (is_directory) {
    result.outcome = LookupOutcome::redirect_slash;
    return result;
  }
  fall_back(site, release, request, result);
  return result;
}
}  // namespace

LookupResult look_up_static(const StaticSite& site, const LookupRequest& request, ReleaseDirCache& releases) {
  for (int attempt = 0;; ++attempt) {
    bool last = attempt > 0;
    int release = releases.live_release(site);
    if (release < 0) {
      // `current` moved between its readlink and the open (its release pruned just then): read it again.
      if (!last) continue;
      LookupResult result;
      result.outcome = LookupOutcome::not_published;
      return result;
    }
    auto result = look_up_in(site, release, request);
    if (result.outcome != LookupOutcome::not_found || last) return result;
    // A miss in a release that is no longer live, or is being removed (resolved just before a
    // swap and a prune), is asked of the release live now. Only misses pay for the check.
    if (!removed(release) && releases.still_live(site)) return result;
    releases.forget(site);
  }
}
}  // namespace baton::proxy
