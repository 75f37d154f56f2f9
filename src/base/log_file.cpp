#include "base/log_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace baton {
namespace fs = std::filesystem;

namespace {
constexpr mode_t kFileMode = 0640;

std::unexpected<std::string> failure(std::string_view step, const fs::path& path) {
  return std::unexpected(fmt::format("cannot {} log file {}: {}", step, path.string(), std::strerror(errno)));
}

std::expected<UniqueFd, std::string> open_for_append(const fs::path& path, bool truncate) {
  int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0);
  UniqueFd fd(::open(path.c_str(), flags, kFileMode));
  if (!fd) return failure("open", path);
  return fd;
}

std::uint64_t size_of(int fd) {
  struct stat info {};
  return ::fstat(fd, &info) == 0 ? static_cast<std::uint64_t>(info.st_size) : 0;
}
}  // namespace

fs::path rotated_path(const fs::path& file, unsigned generation) {
  return fs::path(file.string() + "." + std::to_string(generation));
}

std::expected<std::shared_ptr<LogFile>, std::string> LogFile::open(fs::path path, LogRotation rotation) {
  auto fd = open_for_append(path, false);
  if (!fd) return std::unexpected(fd.error());
  auto size = size_of(fd->get());
  return std::make_shared<LogFile>(std::move(path), rotation, std::move(*fd), size);
}

LogFile::LogFile(fs::path path, LogRotation rotation, UniqueFd fd, std::uint64_t size)
    : path_(std::move(path)), rotation_(rotation), fd_(std::move(fd)), size_(size) {}

std::expected<void, std::string> LogFile::append(std::string_view text) {
  while (!text.empty()) {
    auto piece = text.substr(0, fitting_prefix(text));
    if (piece.empty()) {  // not one more whole line fits: on to a fresh file
      if (auto rotated = rotate(); !rotated) return rotated;
      piece = text.substr(0, fitting_prefix(text));
    }
    if (piece.empty()) piece = text.substr(0, std::min(text.find('\n'), text.size() - 1) + 1);
    if (auto written = write_all(piece); !written) return written;
    text.remove_prefix(piece.size());
  }
  return {};
}

std::size_t LogFile::fitting_prefix(std::string_view text) const {
  if (rotation_.max_size == 0) return text.size();
  auto room = rotation_.max_size - std::min(size_, rotation_.max_size);
  if (text.size() <= room) return text.size();
  auto last_newline = room == 0 ? std::string_view::npos : text.rfind('\n', room - 1);
  return last_newline == std::string_view::npos ? 0 : last_newline + 1;
}

std::expected<void, std::string> LogFile::write_all(std::string_view text) {
  while (!text.empty()) {
    auto n = ::write(fd_.get(), text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return failure("write", path_);
    text.remove_prefix(static_cast<std::size_t>(n));
    size_ += static_cast<std::uint64_t>(n);
  }
  return {};
}

// Renames rather than copies: a reader following the file (`baton logs -f`) keeps its open file,
// and only the oldest generation is ever deleted.
std::expected<void, std::string> LogFile::rotate() {
  if (rotation_.keep == 0) return reopen(true);
  std::error_code ignored;
  fs::remove(rotated_path(path_, rotation_.keep), ignored);
  for (unsigned generation = rotation_.keep - 1; generation >= 1; --generation)
    fs::rename(rotated_path(path_, generation), rotated_path(path_, generation + 1), ignored);
  std::error_code error;
  fs::rename(path_, rotated_path(path_, 1), error);
  if (error)
    return std::unexpected(fmt::format("cannot rotate log file {}: {}", path_.string(), error.message()));
  return reopen(false);
}

std::expected<void, std::string> LogFile::truncate() {
  if (::ftruncate(fd_.get(), 0) != 0) return failure("empty", path_);
  size_ = 0;
  return {};
}

std::expected<void, std::string> LogFile::reopen(bool truncate) {
  auto fd = open_for_append(path_, truncate);
  if (!fd) return std::unexpected(fd.error());
  fd_ = std::move(*fd);
  size_ = size_of(fd_.get());
  return {};
}
}  // namespace baton
