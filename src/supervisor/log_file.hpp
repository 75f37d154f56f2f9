#pragma once
// A service's output file with size-based rotation: file, file.1 (newest) … file.N (oldest).
#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "supervisor/defaults.hpp"
#include "supervisor/unique_fd.hpp"

namespace baton::supervisor {
struct LogRotation {
  std::uint64_t max_size = defaults::kLogMaxSize;  // 0: never rotate
  unsigned keep = defaults::kLogKeep;              // 0: truncate instead of keeping old output
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

  const std::filesystem::path& path() const { return path_; }
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
}  // namespace baton::supervisor
