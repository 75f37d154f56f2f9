#pragma once
// What a release directory says about itself, in a small file inside it (kMetaFile), written at
// publish: the version label, when, and how many files and bytes it holds.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace baton::site {
// Never served: the static file server refuses every name starting with ".baton".
inline constexpr std::string_view kMetaFile = ".baton-release";

struct ReleaseMeta {
  std::string version;
  std::int64_t published_unix = 0;  // seconds
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
};

// "key=value" lines; values are single-line (a newline in the version is replaced).
std::string format_meta(const ReleaseMeta& meta);
// Unknown keys are skipped (newer writers); a malformed number makes the whole file unreadable.
std::optional<ReleaseMeta> parse_meta(std::string_view text);
}  // namespace baton::site
