#include "site/tree_copy.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include <fmt/format.h>

#include "site/file_util.hpp"

namespace baton::site {
namespace {
constexpr std::size_t kCopyChunk = 1 << 20;

struct Copier {
  TreeStats stats;

  Status copy_dir(int src, int dst, const std::string& where);
  Status copy_entry(int src, int dst, const std::string& name, const std::string& where);
  Status copy_file(int src, int dst, const std::string& name, const struct stat& st, const std::string& path);
  Status copy_link(int src, int dst, const std::string& name, const std::string& path);
  Status copy_subdir(int src, int dst, const std::string& name, const struct stat& st, const std::string& path);
};

// copy_file_range keeps the data in the kernel (and shares extents on filesystems that can);
// plain read/write is the fallback where it is not supported.
Status copy_bytes(int in, int out, const std::string& path) {
  for (;;) {
    auto n = ::copy_file_range(in, nullptr, out, nullptr, kCopyChunk, 0);
    if (n == 0) return {};
    if (n > 0) continue;
    if (errno == EINTR) continue;
    if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
      return std::unexpected(errno_message("cannot copy", path));
    break;
  }
  std::vector<char> buffer(kCopyChunk);
  for (;;) {
    auto n = ::read(in, buffer.data(), buffer.size());
    if (n == 0) return {};
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(errno_message("cannot read", path));
    for (ssize_t done = 0; done < n;) {
      auto w = ::write(out, buffer.data() + done, static_cast<std::size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return std::unexpected(errno_message("cannot copy", path));
      done += w;
    }
  }
}

Status Copier::copy_file(int src, int dst, const std::string& name, const struct stat& st,
                         const std::string& path) {
  Fd in(::openat(src, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in) return std::unexpected(errno_message("cannot open", path));
  Fd out(::openat(dst, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 0777));
  if (!out) return std::unexpected(errno_message("cannot create a copy of", path));
  if (auto copied = copy_bytes(in.get(), out.get(), path); !copied) return copied;
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (::futimens(out.get(), times) != 0) return std::unexpected(errno_message("cannot set the time of", path));
  if (auto synced = fsync_fd(out.get(), path); !synced) return synced;
  ++stats.files;
  stats.bytes += static_cast<std::uint64_t>(st.st_size);
  return {};
}

Status Copier::copy_link(int src, int dst, const std::string& name, const std::string& path) {
  auto link = read_link_at(src, name.c_str());
  if (!link) return std::unexpected(errno_message("cannot read the link", path));
  if (::symlinkat(link->c_str(), dst, name.c_str()) != 0)
    return std::unexpected(errno_message("cannot copy the link", path));
  ++stats.files;
  return {};
}

Status Copier::copy_subdir(int src, int dst, const std::string& name, const struct stat& st,
                           const std::string& path) {
  if (::mkdirat(dst, name.c_str(), (st.st_mode & 0777) | 0700) != 0)
    return std::unexpected(errno_message("cannot create a copy of", path));
  Fd in(::openat(src, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!in) return std::unexpected(errno_message("cannot open", path));
  Fd out(::openat(dst, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!out) return std::unexpected(errno_message("cannot open the copy of", path));
  return copy_dir(in.get(), out.get(), path);
}

Status Copier::copy_entry(int src, int dst, const std::string& name, const std::string& where) {
  auto path = where + "/" + name;
  struct stat st{};
  if (::fstatat(src, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return std::unexpected(errno_message("cannot inspect", path));
  if (S_ISREG(st.st_mode)) return copy_file(src, dst, name, st, path);
  if (S_ISLNK(st.st_mode)) return copy_link(src, dst, name, path);
  if (S_ISDIR(st.st_mode)) return copy_subdir(src, dst, name, st, path);
  return std::unexpected(fmt::format("cannot publish '{}': not a regular file, directory or symlink", path));
}

Status Copier::copy_dir(int src, int dst, const std::string& where) {
  auto names = list_dir(src, where);
  if (!names) return std::unexpected(names.error());
  for (const auto& name : *names)
    if (auto copied = copy_entry(src, dst, name, where); !copied) return copied;
  return fsync_fd(dst, where);
}
}  // namespace

std::expected<TreeStats, std::string> copy_tree(const std::string& src_dir, int dst_dirfd) {
  Fd src(::open(src_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!src) return std::unexpected(errno_message("cannot open the build directory", src_dir));
  Copier copier;
  auto where = src_dir;
  while (where.size() > 1 && where.ends_with('/')) where.pop_back();
  if (auto copied = copier.copy_dir(src.get(), dst_dirfd, where); !copied) return std::unexpected(copied.error());
  return copier.stats;
}
}  // namespace baton::site
