#pragma once
// A strict reader of ustar archives (site/ustar.hpp says why it is hand-written): regular files,
// directories and symlinks with relative paths, and nothing else. Long paths and link targets
// may come in pax extended headers or GNU long-name entries (site/pax.hpp). Everything a release
// must not contain is an error with a message naming the entry: absolute paths, "..", links that
// could lead out of the release, hard links, devices, FIFOs, sparse files, bad checksums,
// malformed numbers or pax records, sizes past the limits, and archives that end early.
#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "site/pax.hpp"
#include "site/ustar.hpp"

namespace baton::site {
enum class TarType { file, directory, symlink };

struct TarEntry {
  TarType type = TarType::file;
  std::string path;         // relative, normalised: no ".", no empty parts, no trailing '/'
  std::string link_target;  // symlinks
  std::uint32_t mode = 0;   // permission bits only
  std::int64_t mtime = 0;   // seconds
  std::uint64_t size = 0;   // data bytes (files)
};

struct TarLimits {
  std::uint64_t max_entries = 1'000'000;
  std::uint64_t max_bytes = 64ull << 30;  // file data, all entries together
};

// Where the archive comes from: fills part of `out`, 0 at its end.
using TarSource = std::function<std::expected<std::size_t, std::string>(std::span<char> out)>;

class TarReader {
 public:
  explicit TarReader(TarSource source, TarLimits limits = {}) : source_(std::move(source)), limits_(limits) {}
  // The next entry (the rest of the current one's data is skipped); nullopt after the
  // end-of-archive marker, which must be there and may only be followed by zeros.
  std::expected<std::optional<TarEntry>, std::string> next();
  // Part of the current file's data; 0 once all of it has been read.
  std::expected<std::size_t, std::string> read_data(std::span<char> out);

 private:
  std::expected<bool, std::string> read_block(ustar::Block& block);
  std::expected<void, std::string> skip_rest();
  std::expected<void, std::string> check_end();
  std::expected<std::optional<TarEntry>, std::string> parse(const ustar::Block& block);
  std::expected<void, std::string> read_extension(char type, std::uint64_t size, std::string_view raw);

  TarSource source_;
  TarLimits limits_;
  std::uint64_t offset_ = 0;     // bytes read so far, for messages
  std::uint64_t remaining_ = 0;  // data of the current file not read yet
  std::size_t pad_ = 0;          // padding after it
  std::string current_;          // its path, for messages
  pax::Overrides pending_;       // from extended headers, for the next entry
  bool extension_pending_ = false;  // an extended header was read and no entry yet
  std::uint64_t entries_ = 0;
  std::uint64_t bytes_ = 0;
  bool ended_ = false;
};

// "a/./b/" -> "a/b"; an error for an absolute path or a ".." part. "" for the top itself.
std::expected<std::string, std::string> normalize_entry_path(std::string_view raw);
// A link may only lead to somewhere inside the release, whatever the links it passes through
// point at: a relative target whose ".." parts all come first, no more of them than the link
// is deep ("a/b/l" -> "../x" is fine, "../../../x" and "x/../../y" are not).
bool link_stays_inside(std::string_view link_path, std::string_view target);
}  // namespace baton::site
