#pragma once
// Reads release archives through libarchive (tar in its ustar, pax and GNU forms, plain or
// compressed with gzip, bzip2, xz or zstd, and zip), adding Baton's own rules on top: regular
// files, directories and symlinks with relative paths, and nothing else. Everything a release
// must not contain is an error with a message naming the entry: absolute paths, "..", links that
// could lead out of the release, hard links, devices, FIFOs, sparse files, sizes past the limits.
// libarchive's warnings (a malformed pax record, say) are refusals too, and a tar must end with
// its end-of-archive marker, followed by zeros only when it is not compressed.
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

struct archive;
struct archive_entry;

namespace baton::site {
enum class EntryType { file, directory, symlink };

struct ArchiveEntry {
  EntryType type = EntryType::file;
  std::string path;         // relative, normalised: no ".", no empty parts, no trailing '/'
  std::string link_target;  // symlinks
  std::uint32_t mode = 0;   // permission bits only
  std::int64_t mtime = 0;   // seconds
  std::uint64_t size = 0;   // data bytes (files), as the archive declares it (0 when a zip does not say)
};

struct ArchiveLimits {
  std::uint64_t max_entries = 1'000'000;
  std::uint64_t max_bytes = 64ull << 30;  // file data, all entries together
};

// Where the archive comes from. `read` fills part of `out`, 0 at its end. `seek` (optional) moves
// as lseek does and returns the new offset, -1 when it cannot: a zip keeps its symlinks and
// permissions in the directory at its end, which only a seekable source lets the reader see.
struct ArchiveSource {
  std::function<std::expected<std::size_t, std::string>(std::span<char> out)> read;
  std::function<std::int64_t(std::int64_t offset, int whence)> seek;
};
// A spooled upload or a file on disk.
ArchiveSource file_source(int fd, std::string name);

class ArchiveReader {
 public:
  explicit ArchiveReader(ArchiveSource source, ArchiveLimits limits = {});
  ~ArchiveReader();
  ArchiveReader(const ArchiveReader&) = delete;
  ArchiveReader& operator=(const ArchiveReader&) = delete;

  // The next entry (the rest of the current one's data is skipped); nullopt at the archive's end.
  std::expected<std::optional<ArchiveEntry>, std::string> next();
  // Part of the current file's data; 0 once all of it has been read.
  std::expected<std::size_t, std::string> read_data(std::span<char> out);

 private:
  struct Input;  // the source as libarchive reads it
  std::expected<void, std::string> open();
  std::expected<ArchiveEntry, std::string> check(::archive_entry* raw);
  std::expected<void, std::string> check_end();
  std::string damaged(std::string_view where) const;

  std::unique_ptr<Input> input_;
  ArchiveLimits limits_;
  struct archive* archive_ = nullptr;
  bool opened_ = false;
  bool ended_ = false;
  std::string error_;            // once an error is returned, every later call returns it
  std::string current_;          // the current entry's path, for messages
  std::uint64_t entries_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t data_end_ = 0;   // tar: where the last entry's data ends, padded to a block
};

// "a/./b/" -> "a/b"; an error for an absolute path or a ".." part. "" for the top itself.
std::expected<std::string, std::string> normalize_entry_path(std::string_view raw);
// A link may only lead to somewhere inside the release, whatever the links it passes through
// point at: a relative target whose ".." parts all come first, no more of them than the link
// is deep ("a/b/l" -> "../x" is fine, "../../../x" and "x/../../y" are not).
bool link_stays_inside(std::string_view link_path, std::string_view target);
}  // namespace baton::site
