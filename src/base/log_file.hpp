#pragma once
// A log file with size-based rotation: file, file.1 (newest) … file.N (oldest). Services' output,
// the daemon's own log and the access log are each one of these.
#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "base/unique_fd.hpp"

namespace baton {
inline constexpr std::uint64_t kDefaultLogMaxSize = 10ull << 20;  // per log file, before rotation
inline constexpr unsigned kDefaultLogKeep = 5;                      // rotated files kept: file.1 … file.5

struct LogRotation {
  std::uint64_t max_size = kDefaultLogMaxSize;  // 0: never rotate
  unsigned keep = kDefaultLogKeep;              // 0: truncate instead of keeping old output
  bool operator==(const LogRotation&) const = default;
};

std::filesystem::path rotated_path(const std::filesystem::path& file, unsigned generation);

class LogFile {
 public:
  // Opens for appending, creating the file (and not its directory) when missing.
  static std::expected<std::shared_ptr<LogFile>, std::string> open(std::filesystem::path path,
                                                                   LogRotation rotation);

  // Appends whole lines, rotating between two lines when the next would take the file past
  // max_size. A single line longer than max_size still goes in whole, alone in a fresh file.
  std::expected<void, std::string> append(std::string_view text);

  // Opens the path again, creating the file: after logrotate renamed it, or an operator
  // removed it, the lines go to a file of that name again (SIGUSR1).
  std::expected<void, std::string> reopen() { return reopen(false); }
  // Empties the file; writers keep appending to it (`baton flush`).
  std::expected<void, std::string> truncate();
  // Later rotations use these sizes (a reloaded config).
  void set_rotation(LogRotation rotation) { rotation_ = rotation; }

  const std::filesystem::path& path() const { return path_; }
  int fd() const { return fd_.get(); }
  std::uint64_t size() const { return size_; }

  LogFile(std::filesystem::path path, LogRotation rotation, UniqueFd fd, std::uint64_t size);

 private:
  std::size_t fitting_prefix(std::string_view text) const;  // whole lines that fit, in bytes
  std::expected<void, std::string> write_all(std::string_view text);
  std::expected<void, std::string> rotate();
  std::expected<void, std::string> reopen(bool truncate);

  std::filesystem::path path_;
  LogRotation rotation_;
  UniqueFd fd_;
  std::uint64_t size_ = 0;
};
}  // namespace baton
