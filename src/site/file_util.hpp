#pragma once
// Small POSIX helpers for the site module: an owned descriptor, errno messages and durable
// directory operations. No exceptions: every failure is a message.
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace baton::site {
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset();

 private:
  int fd_ = -1;
};

using Status = std::expected<void, std::string>;

// "what 'path': strerror(errno)", from the current errno.
std::string errno_message(std::string_view what, std::string_view path);

Status fsync_fd(int fd, std::string_view path);
// The target of the symlink `name` under `dirfd`; nullopt with errno set when it cannot be
// read, ENAMETOOLONG when it is longer than PATH_MAX.
std::optional<std::string> read_link_at(int dirfd, const char* name);
// Removes `name` under `dirfd` with everything beneath it, without following symlinks.
Status remove_tree_at(int dirfd, const std::string& name);
// The names in the open directory `fd` but "." and "..", in directory order.
std::expected<std::vector<std::string>, std::string> list_dir(int fd, const std::string& where);
// The whole file, up to `max_bytes`.
std::expected<std::string, std::string> read_small_file_at(int dirfd, const std::string& name,
                                                           std::size_t max_bytes);
// Writes `text` into a new file and fsyncs it.
Status write_file_at(int dirfd, const std::string& name, std::string_view text);
}  // namespace baton::site
