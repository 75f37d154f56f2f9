#include "site/archive_extract.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "site/file_util.hpp"

namespace baton::site {
namespace {
constexpr std::size_t kWriteChunk = 1 << 20;


struct Extractor {
  ArchiveReader& reader;
  int root;
  TreeStats stats;
  std::set<std::string> dirs;  // every directory made, fsynced at the end
  std::string parent_path;     // the last parent opened, kept for the next entry
  Fd parent;
  std::vector<char> buffer = std::vector<char>(kWriteChunk);

  std::expected<int, PublishError> open_parent(const std::string& path);
  std::expected<void, PublishError> make_file(const ArchiveEntry& entry, int dir, const std::string& leaf);
  std::expected<void, PublishError> make_dir(const ArchiveEntry& entry, int dir, const std::string& leaf);
  std::expected<void, PublishError> make_link(const ArchiveEntry& entry, int dir, const std::string& leaf);
  std::expected<void, PublishError> add(const ArchiveEntry& entry);
  std::expected<void, PublishError> sync_dirs();
};

// Opens (making it when missing) each directory on the way with O_NOFOLLOW: an archive that
// put a symlink or a file where a directory should be is refused, not followed.
std::expected<Fd, PublishError> walk(int root, const std::string& dirs, std::set<std::string>& made) {
  Fd current(::dup(root));
  if (!current) return failed(errno_message("cannot open", "the release"));
  std::string so_far;
  for (std::size_t start = 0; start < dirs.size();) {
    auto end = std::min(dirs.find('/', start), dirs.size());
    auto part = dirs.substr(start, end - start);
    so_far = dirs.substr(0, end);
    start = end + 1;
    if (::mkdirat(current.get(), part.c_str(), 0755) == 0) made.insert(so_far);
    else if (errno != EEXIST) return failed(errno_message("cannot create", so_far));
    Fd next(::openat(current.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next && (errno == ELOOP || errno == ENOTDIR))
      return refused(fmt::format("'{}' is not a directory, yet entries are under it", so_far));
    if (!next) return failed(errno_message("cannot open", so_far));
    current = std::move(next);
  }
  return current;
}

std::expected<int, PublishError> Extractor::open_parent(const std::string& path) {
  auto slash = path.rfind('/');
  auto dir = slash == std::string::npos ? std::string() : path.substr(0, slash);
  if (parent && dir == parent_path) return parent.get();
  auto opened = walk(root, dir, dirs);
  if (!opened) return std::unexpected(opened.error());
  parent = std::move(*opened);
  parent_path = dir;
  return parent.get();
}

std::expected<void, PublishError> Extractor::make_file(const ArchiveEntry& entry, int dir, const std::string& leaf) {
  Fd out(::openat(dir, leaf.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (entry.mode & 0755) | 0600));
  if (!out && errno == EEXIST) return refused(fmt::format("'{}' appears twice in the archive", entry.path));
  if (!out) return failed(errno_message("cannot create", entry.path));
  for (;;) {
    auto n = reader.read_data(buffer);
    if (!n) return refused(n.error());
    if (*n == 0) break;
    for (std::size_t done = 0; done < *n;) {
      auto w = ::write(out.get(), buffer.data() + done, *n - done);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return failed(errno_message("cannot write", entry.path));
      done += static_cast<std::size_t>(w);
    }
  }
  const struct timespec times[2] = {{entry.mtime, 0}, {entry.mtime, 0}};
  if (::futimens(out.get(), times) != 0) return failed(errno_message("cannot set the time of", entry.path));
  if (auto synced = fsync_fd(out.get(), entry.path); !synced) return failed(synced.error());
  ++stats.files;
  stats.bytes += entry.size;
  return {};
}

std::expected<void, PublishError> Extractor::make_dir(const ArchiveEntry& entry, int dir, const std::string& leaf) {
  if (::mkdirat(dir, leaf.c_str(), (entry.mode & 0755) | 0700) == 0) {
    dirs.insert(entry.path);
    return {};
  }
  struct stat st{};
  if (errno == EEXIST && ::fstatat(dir, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) return {};
  if (errno == EEXIST) return refused(fmt::format("'{}' appears twice in the archive", entry.path));
  return failed(errno_message("cannot create", entry.path));
}

std::expected<void, PublishError> Extractor::make_link(const ArchiveEntry& entry, int dir, const std::string& leaf) {
  if (::symlinkat(entry.link_target.c_str(), dir, leaf.c_str()) == 0) {
    ++stats.files;
    return {};
  }
  if (errno == EEXIST) return refused(fmt::format("'{}' appears twice in the archive", entry.path));
  return failed(errno_message("cannot create the link", entry.path));
}

std::expected<void, PublishError> Extractor::add(const ArchiveEntry& entry) {
  auto dir = open_parent(entry.path);
  if (!dir) return std::unexpected(dir.error());
  auto leaf = entry.path.substr(entry.path.rfind('/') + 1);
  switch (entry.type) {
    case EntryType::file: return make_file(entry, *dir, leaf);
    case EntryType::directory: return make_dir(entry, *dir, leaf);
    case EntryType::symlink: return make_link(entry, *dir, leaf);
  }
  return {};
}

std::expected<void, PublishError> Extractor::sync_dirs() {
  parent = Fd();
  for (const auto& dir : dirs) {
    auto opened = walk(root, dir, dirs);
    if (!opened) return std::unexpected(opened.error());
    if (auto synced = fsync_fd(opened->get(), dir); !synced) return failed(synced.error());
  }
  return {};
}
}  // namespace

std::expected<TreeStats, PublishError> extract_archive(ArchiveReader& reader, int dst_dirfd) {
  Extractor extractor{.reader = reader, .root = dst_dirfd};
  for (;;) {
    auto entry = reader.next();
    if (!entry) return refused(entry.error());
    if (!*entry) break;
    if (auto added = extractor.add(**entry); !added) return std::unexpected(added.error());
  }
  if (auto synced = extractor.sync_dirs(); !synced) return std::unexpected(synced.error());
  return extractor.stats;
}
}  // namespace baton::site
