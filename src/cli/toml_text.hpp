#pragma once
// TOML as text, for files the CLI writes for people to read and edit (`baton import pm2`):
// strings quoted and escaped (ASCII only, other characters as \uXXXX, since Baton's loader takes
// nothing else in strings), keys quoted only when they must be, comments that stay comments
// whatever text they quote. Bytes that are not UTF-8 become U+FFFD, which TOML requires.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace baton::cli {
using TomlItem = std::variant<std::string, std::int64_t, bool, std::vector<std::string>, std::vector<std::int64_t>>;

std::string toml_string(std::string_view text);
// Bare when it is only letters, digits, '-' and '_'; quoted otherwise.
std::string toml_key(std::string_view key);
std::string toml_value(const TomlItem& item);
// One "# ..." line per line of text (control characters shown as '?'); with a width, lines longer
// than that are broken at blanks, the continuation indented.
std::string toml_comment(std::string_view text, std::size_t width = 0);
// The text with every byte sequence that is not UTF-8 replaced by U+FFFD.
std::string valid_utf8(std::string_view text);
}  // namespace baton::cli
