#pragma once
// pax extended headers (POSIX.1-2001) and GNU long names: what lets a tar archive hold paths and
// link targets longer than ustar's fields. Archives from GNU tar, bsdtar (the macOS default, which
// adds pax records for extended attributes) and `git archive` use them, so the reader takes them;
// the writer emits a pax header only for an entry that does not fit plain ustar.
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace baton::site::pax {
// The largest extended header the reader takes: a path or link target is at most PATH_MAX, and
// the records an archiver adds for one entry (times, owners, attributes) stay far below this.
inline constexpr std::uint64_t kMaxHeaderBytes = 1 << 20;

// What an extended header says of the entry that follows it; unset fields keep the ustar value.
struct Overrides {
  std::optional<std::string> path;
  std::optional<std::string> linkpath;
  std::optional<std::uint64_t> size;
  std::optional<std::int64_t> mtime;  // whole seconds

  bool empty() const { return !path && !linkpath && !size && !mtime; }
};

// "LEN key=value\n", where LEN counts the whole record, its own digits included.
std::string record(std::string_view key, std::string_view value);

// Reads the records of an extended header ('x') into `into`. Keywords Baton has no use for
// (atime, uid, uname, SCHILY.*, LIBARCHIVE.*, comment...) are read and ignored; sparse files
// (GNU.sparse.*) and malformed records are errors. An empty value unsets the keyword.
std::expected<void, std::string> parse(std::string_view data, Overrides& into);
// A global header ('g'): its records are checked, and then ignored, since they would apply to
// every entry (git archive puts the commit id there as a comment).
std::expected<void, std::string> check_global(std::string_view data);
}  // namespace baton::site::pax
