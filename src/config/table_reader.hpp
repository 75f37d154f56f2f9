#pragma once
// Typed, line-aware reading of one TOML table, for the config loader only.
// Each read checks type and range and, on failure, records a "FILE:LINE: ..."
// problem instead of throwing, so a section reads as a flat list of fields.
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace baton::config_detail {

// Keeps only the first problem: later ones are usually consequences of it,
// and the contract is one line of error.
class Problems {
 public:
  explicit Problems(std::string source) : source_(std::move(source)) {}
  void report(std::size_t line, std::string_view what);
  bool any() const { return first_.has_value(); }
  const std::string& first() const { return *first_; }
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::optional<std::string> first_;
};

template <typename T>
struct Range {
  T min;
  T max;
};

// A string from the file together with the line it came from.
struct LocatedString {
  std::string text;
  std::size_t line;
};

// One entry of a table of strings: its key, value and the key's line.
struct LocatedEntry {
  std::string key;
  std::string value;
  std::size_t line;
};

class TableReader {
 public:
  // `path` is the dotted table name ("services.api"); empty for the root.
  TableReader(const toml::table& table, std::string path, Problems& problems);

  const toml::table& table() const { return table_; }
  // The config file's name as given (files it names are relative to its directory).
  const std::string& source() const { return problems_.source(); }
  std::size_t line() const;
  // "in [services.api]" or "at the top level", for messages.
  std::string place() const;
  // "'key' in [services.api]", for messages about one field.
  std::string describe(std::string_view key) const;
  // The line of `key`'s value, or of the table when the key is absent.
  std::size_t line_of(std::string_view key) const;

  // Reports the first key not in `known`, suggesting the closest known one.
  void allow_only(std::initializer_list<std::string_view> known);
  bool has(std::string_view key) const { return table_.contains(key); }
  bool require(std::string_view key);

  // Each read leaves `out` untouched and returns false when the key is absent
  // or invalid (invalid also records a problem).
  bool read(std::string_view key, std::string& out);
  bool read(std::string_view key, bool& out);
  bool read(std::string_view key, std::uint32_t& out, Range<std::uint32_t> range);
  // Durations are strings with a unit: a bare integer is too easy to misread.
  bool read_duration(std::string_view key, std::chrono::milliseconds& out);
  // Sizes are "64k"-style strings or plain integers (bytes).
  bool read_size(std::string_view key, std::uint64_t& out, Range<std::uint64_t> range);
  bool read_size(std::string_view key, std::uint32_t& out, Range<std::uint64_t> range);
  bool read_strings(std::string_view key, std::vector<LocatedString>& out);
  // A string (one element, `is_string` set) or an array of strings.
  bool read_string_or_strings(std::string_view key, std::vector<LocatedString>& out,
                              bool& is_string);
  // A table whose values are all strings, in file order (toml++ sorts keys).
  bool read_string_table(std::string_view key, std::vector<LocatedEntry>& out);

  // `value` (read from `key`) must be one of `allowed`; a near miss gets a suggestion.
  bool check_choice(std::string_view key, std::string_view value,
                    std::span<const std::string_view> allowed);

  // A nested table; nullopt when absent or not a table (reported).
  std::optional<TableReader> child(std::string_view key);

  void fail(std::size_t line, std::string_view what) { problems_.report(line, what); }
  // "'key' in [table] <what>", at the key's line.
  void fail_at(std::string_view key, std::string_view what);
  // "'key' in [table]: <what>", for a problem found by another parser.
  void fail_value(std::size_t line, std::string_view key, std::string_view what);
  bool failed() const { return problems_.any(); }

 private:
  const toml::node* typed(std::string_view key, toml::node_type type);

  const toml::table& table_;
  std::string path_;
  Problems& problems_;
};

// The candidate closest to `word` by edit distance, if it is close enough to
// be a plausible typo.
std::optional<std::string_view> closest_match(std::string_view word,
                                              std::span<const std::string_view> candidates);
}  // namespace baton::config_detail
