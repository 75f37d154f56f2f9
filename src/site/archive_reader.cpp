#include "site/archive_reader.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "site/utf8_names.hpp"

namespace baton::site {
namespace {
constexpr std::size_t kChunk = 64 * 1024;
// libarchive reads ahead of what it uses by far less than this: the bytes after a tar's end
// marker that it read but did not use are among the last ones handed to it.
constexpr std::size_t kTail = 256 * 1024;
constexpr std::uint64_t kTarBlock = 512;
constexpr std::uint64_t kTarEndMarker = 2 * kTarBlock;

// A name as messages show it: a pax path may be up to a megabyte long.
std::string shown(std::string_view name) {
  constexpr std::size_t kShown = 200;
  return name.size() > kShown ? std::string(name.substr(0, kShown)) + "..." : std::string(name);
}

bool all_zero(std::string_view bytes) {
  return std::ranges::all_of(bytes, [](char c) { return c == '\0'; });
}

std::uint64_t padded(std::uint64_t size) { return (size + kTarBlock - 1) / kTarBlock * kTarBlock; }

std::expected<EntryType, std::string> entry_type(::archive_entry* raw, std::string_view path) {
  if (archive_entry_hardlink(raw)) return std::unexpected(fmt::format("'{}' is a hard link: not supported", path));
  switch (archive_entry_filetype(raw)) {
    case AE_IFREG: return EntryType::file;
    case AE_IFDIR: return EntryType::directory;
    case AE_IFLNK: return EntryType::symlink;
    case AE_IFCHR:
    case AE_IFBLK: return std::unexpected(fmt::format("'{}' is a device file: refused", path));
    case AE_IFIFO: return std::unexpected(fmt::format("'{}' is a FIFO: refused", path));
    case AE_IFSOCK: return std::unexpected(fmt::format("'{}' is a socket: refused", path));
  }
  return std::unexpected(fmt::format("'{}' has an unknown entry type", path));
}
}  // namespace

struct ArchiveReader::Input {
  ArchiveSource source;
  std::vector<char> chunk = std::vector<char>(kChunk);
  std::string tail;  // the last bytes handed to libarchive
  std::uint64_t handed = 0;
  std::string error;  // the source's own, when it failed

  static la_int64_t seek(struct archive* a, void* self, la_int64_t offset, int whence) {
    auto& in = *static_cast<Input*>(self);
    auto at = in.source.seek(offset, whence);
    if (at < 0) {
      archive_set_error(a, EIO, "cannot seek in the archive");
      return ARCHIVE_FATAL;
    }
    in.handed = static_cast<std::uint64_t>(at);
    in.tail.clear();
    return at;
  }

  static la_ssize_t read(struct archive* a, void* self, const void** buffer) {
    auto& in = *static_cast<Input*>(self);
    auto n = in.source.read(in.chunk);
    if (!n) {
      in.error = n.error();
      archive_set_error(a, EIO, "%s", in.error.c_str());
      return ARCHIVE_FATAL;
    }
    in.handed += *n;
    in.tail.append(in.chunk.data(), *n);
    if (in.tail.size() > kTail + kChunk) in.tail.erase(0, in.tail.size() - kTail);
    *buffer = in.chunk.data();
    return static_cast<la_ssize_t>(*n);
  }
};

std::expected<std::string, std::string> normalize_entry_path(std::string_view raw) {
  if (raw.starts_with('/')) return std::unexpected(fmt::format("'{}' is an absolute path", shown(raw)));
  std::string out;
  for (std::size_t start = 0; start <= raw.size();) {
    auto end = std::min(raw.find('/', start), raw.size());
    auto part = raw.substr(start, end - start);
    start = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") return std::unexpected(fmt::format("'{}' leaves the release (a '..' part)", shown(raw)));
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

bool link_stays_inside(std::string_view link_path, std::string_view target) {
  if (target.empty() || target.starts_with('/')) return false;
  auto depth = static_cast<long>(std::ranges::count(link_path, '/'));
  bool climbing = true;
  for (std::size_t start = 0; start <= target.size();) {
    auto end = std::min(target.find('/', start), target.size());
    auto part = target.substr(start, end - start);
    start = end + 1;
    if (part.empty() || part == ".") continue;
    if (part != "..") {
      climbing = false;
      continue;
    }
    if (!climbing || --depth < 0) return false;
  }
  return true;
}

ArchiveSource file_source(int fd, std::string name) {
  return {.read = [fd, name](std::span<char> out) -> std::expected<std::size_t, std::string> {
            for (;;) {
              auto n = ::read(fd, out.data(), out.size());
              if (n >= 0) return static_cast<std::size_t>(n);
              if (errno != EINTR) return std::unexpected(fmt::format("cannot read {}: {}", name, std::strerror(errno)));
            }
          },
          .seek = [fd](std::int64_t offset, int whence) -> std::int64_t { return ::lseek(fd, offset, whence); }};
}

ArchiveReader::ArchiveReader(ArchiveSource source, ArchiveLimits limits)
    : input_(std::make_unique<Input>()), limits_(limits) {
  input_->source = std::move(source);
}

ArchiveReader::~ArchiveReader() {
  if (archive_) archive_read_free(archive_);
}

std::string ArchiveReader::damaged(std::string_view where) const {
  std::string_view why = input_->error;
  if (why.empty()) why = archive_error_string(archive_) ? archive_error_string(archive_) : "unknown error";
  if (where.empty()) return fmt::format("damaged archive: {}", why);
  return fmt::format("damaged archive at '{}': {}", shown(where), why);
}

std::expected<void, std::string> ArchiveReader::open() {
  opened_ = true;
  archive_ = archive_read_new();
  if (!archive_) return std::unexpected("out of memory for the archive reader");
  // Only the compressions libarchive does itself: never one that would run an outside program.
  archive_read_support_filter_gzip(archive_);
  archive_read_support_filter_bzip2(archive_);
  archive_read_support_filter_xz(archive_);
  archive_read_support_filter_zstd(archive_);
  archive_read_support_format_tar(archive_);
  // A zip's symlinks and permissions are in its central directory, at its end: read without
  // seeking, links would come out as files. A source that cannot seek gets tar only.
  if (input_->source.seek) archive_read_support_format_zip_seekable(archive_);
  archive_read_set_callback_data(archive_, input_.get());
  archive_read_set_read_callback(archive_, &Input::read);
  if (input_->source.seek) archive_read_set_seek_callback(archive_, &Input::seek);
  if (archive_read_open1(archive_) == ARCHIVE_OK) return {};
  if (!input_->error.empty()) return std::unexpected(input_->error);
  return std::unexpected(fmt::format("not an archive Baton reads (tar, tar.gz, tar.bz2, tar.xz, tar.zst or zip): {}",
                                     archive_error_string(archive_) ? archive_error_string(archive_) : "unknown"));
}

std::expected<std::optional<ArchiveEntry>, std::string> ArchiveReader::next() {
  if (!error_.empty()) return std::unexpected(error_);
  if (ended_) return std::nullopt;
  Utf8Names names;
  auto fail = [this](std::string message) -> std::expected<std::optional<ArchiveEntry>, std::string> {
    error_ = std::move(message);
    return std::unexpected(error_);
  };
  if (!opened_)
    if (auto ready = open(); !ready) return fail(ready.error());
  for (;;) {
    ::archive_entry* raw = nullptr;
    int r = archive_read_next_header(archive_, &raw);
    if (r == ARCHIVE_EOF) {
      if (auto checked = check_end(); !checked) return fail(checked.error());
      ended_ = true;
      return std::nullopt;
    }
    const char* name = raw ? archive_entry_pathname(raw) : nullptr;
    if (r == ARCHIVE_WARN) return fail(damaged(name ? name : current_));
    if (r != ARCHIVE_OK) return fail(damaged(current_.empty() ? "" : "the entry after " + current_));
    auto entry = check(raw);
    if (!entry) return fail(entry.error());
    if (entry->path.empty()) continue;  // the top directory itself ("./")
    return std::optional<ArchiveEntry>(std::move(*entry));
  }
}

std::expected<ArchiveEntry, std::string> ArchiveReader::check(::archive_entry* raw) {
  const char* name = archive_entry_pathname(raw);
  if (!name) return std::unexpected(fmt::format("an entry after '{}' has a name that cannot be read", shown(current_)));
  current_ = name;
  auto type = entry_type(raw, shown(current_));
  if (!type) return std::unexpected(type.error());
  if (archive_entry_sparse_count(raw) > 0)
    return std::unexpected(fmt::format("'{}' is a sparse file: not supported", shown(current_)));
  auto path = normalize_entry_path(current_);
  if (!path) return std::unexpected(path.error());
  ArchiveEntry entry{.type = *type, .path = std::move(*path)};
  auto size = archive_entry_size_is_set(raw) ? archive_entry_size(raw) : 0;
  if (size < 0) return std::unexpected(fmt::format("'{}' has a negative size", shown(current_)));
  entry.size = static_cast<std::uint64_t>(size);
  if (entry.path.empty()) {
    if (entry.type != EntryType::directory) return std::unexpected("an entry has an empty name");
    return entry;
  }
  if (entry.type == EntryType::directory && entry.size > 0)
    return std::unexpected(fmt::format("'{}' is a directory but has data", shown(entry.path)));
  if (entry.type == EntryType::symlink) {
    const char* target = archive_entry_symlink(raw);
    entry.link_target = target ? target : "";
    if (!link_stays_inside(entry.path, entry.link_target))
      return std::unexpected(
          fmt::format("'{}' links to '{}', outside the release", shown(entry.path), shown(entry.link_target)));
  }
  if (++entries_ > limits_.max_entries)
    return std::unexpected(fmt::format("the archive has more than {} entries", limits_.max_entries));
  if (entry.size > limits_.max_bytes - std::min(bytes_, limits_.max_bytes))
    return std::unexpected(fmt::format("the archive's files add up past {} bytes", limits_.max_bytes));
  entry.mode = static_cast<std::uint32_t>(archive_entry_perm(raw)) & 07777;
  entry.mtime = archive_entry_mtime(raw);
  if ((archive_format(archive_) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_TAR)
    data_end_ = static_cast<std::uint64_t>(archive_filter_bytes(archive_, 0)) + padded(entry.size);
  return entry;
}

std::expected<std::size_t, std::string> ArchiveReader::read_data(std::span<char> out) {
  if (!error_.empty()) return std::unexpected(error_);
  if (!opened_ || ended_) return 0;
  Utf8Names names;
  auto n = archive_read_data(archive_, out.data(), out.size());
  if (n < 0) {
    error_ = damaged(current_);
    return std::unexpected(error_);
  }
  bytes_ += static_cast<std::uint64_t>(n);
  if (bytes_ > limits_.max_bytes) {
    error_ = fmt::format("the archive's files add up past {} bytes", limits_.max_bytes);
    return std::unexpected(error_);
  }
  return static_cast<std::size_t>(n);
}

// libarchive takes a tar that stops at an entry's end as complete, and reads nothing after
// the end marker: an upload cut short or with something appended would pass unseen.
std::expected<void, std::string> ArchiveReader::check_end() {
  if ((archive_format(archive_) & ARCHIVE_FORMAT_BASE_MASK) != ARCHIVE_FORMAT_TAR) return {};
  auto used = static_cast<std::uint64_t>(archive_filter_bytes(archive_, 0));
  if (used < data_end_ + kTarEndMarker)
    return std::unexpected("truncated archive: it ends without the end-of-archive marker");
  if (archive_filter_count(archive_) > 1) return {};  // compressed: the compression checks its own end
  auto unused = input_->handed - static_cast<std::uint64_t>(archive_filter_bytes(archive_, -1));
  const auto& tail = input_->tail;
  auto after = std::string_view(tail).substr(tail.size() - std::min<std::uint64_t>(unused, tail.size()));
  for (;;) {
    if (!all_zero(after)) return std::unexpected("the archive has data after the end-of-archive marker");
    auto n = input_->source.read(input_->chunk);
    if (!n) return std::unexpected(n.error());
    if (*n == 0) return {};
    after = std::string_view(input_->chunk.data(), *n);
  }
}
}  // namespace baton::site
