#include "site/file_util.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace baton::site {
void Fd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string errno_message(std::string_view what, std::string_view path) {
  return fmt::format("{} '{}': {}", what, path, std::strerror(errno));
}

std::optional<std::string> read_link_at(int dirfd, const char* name) {
  char target[PATH_MAX];
  auto n = ::readlinkat(dirfd, name, target, sizeof target);
  if (n < 0) return std::nullopt;
  if (static_cast<std::size_t>(n) >= sizeof target) {
    errno = ENAMETOOLONG;
    return std::nullopt;
  }
  return std::string(target, static_cast<std::size_t>(n));
}

Status fsync_fd(int fd, std::string_view path) {
  if (::fsync(fd) != 0) return std::unexpected(errno_message("cannot sync", path));
  return {};
}

namespace {
std::expected<std::vector<std::string>, std::string> entries_of(int dirfd, const std::string& name) {
  int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return std::unexpected(errno_message("cannot open", name));
  DIR* dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    return std::unexpected(errno_message("cannot list", name));
  }
  std::vector<std::string> names;
  while (auto* entry = ::readdir(dir)) {
    std::string_view entry_name = entry->d_name;
    if (entry_name != "." && entry_name != "..") names.emplace_back(entry_name);
  }
  ::closedir(dir);
  return names;
}
}  // namespace

std::expected<std::vector<std::string>, std::string> list_dir(int fd, const std::string& where) {
  int copy = ::dup(fd);
  DIR* dir = copy < 0 ? nullptr : ::fdopendir(copy);
  if (!dir) {
    if (copy >= 0) ::close(copy);
    return std::unexpected(errno_message("cannot list", where));
  }
  std::vector<std::string> names;
  errno = 0;
  while (auto* entry = ::readdir(dir)) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  bool failed = errno != 0;
  ::closedir(dir);
  if (failed) return std::unexpected(errno_message("cannot list", where));
  return names;
}

Status remove_tree_at(int dirfd, const std::string& name) {
  if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno == ENOENT) return {};
  if (errno != EISDIR && errno != EPERM) return std::unexpected(errno_message("cannot remove", name));
  auto names = entries_of(dirfd, name);
  if (!names) return std::unexpected(names.error());
  Fd sub(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!sub) return std::unexpected(errno_message("cannot open", name));
  for (const auto& child : *names)
    if (auto removed = remove_tree_at(sub.get(), child); !removed)
      return std::unexpected(fmt::format("{}/{}", name, removed.error()));
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
    return std::unexpected(errno_message("cannot remove", name));
  return {};
}

std::expected<std::string, std::string> read_small_file_at(int dirfd, const std::string& name,
                                                           std::size_t max_bytes) {
  Fd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return std::unexpected(errno_message("cannot open", name));
  std::string text(max_bytes, '\0');
  std::size_t used = 0;
  while (used < max_bytes) {
    auto n = ::read(fd.get(), text.data() + used, max_bytes - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(errno_message("cannot read", name));
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  text.resize(used);
  return text;
}

Status write_file_at(int dirfd, const std::string& name, std::string_view text) {
  Fd fd(::openat(dirfd, name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd) return std::unexpected(errno_message("cannot create", name));
  while (!text.empty()) {
    auto n = ::write(fd.get(), text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(errno_message("cannot write", name));
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return fsync_fd(fd.get(), name);
}
}  // namespace baton::site
