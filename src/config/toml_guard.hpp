#pragma once
// A lexical pre-check run before toml++ sees the text.
//
// toml++ 3.3 (Debian 12) reaches __builtin_unreachable, i.e. undefined
// behaviour, when it asks whether some non-ASCII code points are whitespace.
// It asks outside strings, inside a bad value it scans to report (even across
// quotes), and after a line-ending backslash in a """ string (upstream issues
// marzer/tomlplusplus#190 and #295; found here by fuzzing). Every Baton setting
// is ASCII (service names, addresses, host names in punycode, percent-encoded
// paths, units), so non-ASCII text is only ever useful in comments, where
// toml++ merely range-checks it. Allowing it nowhere else costs nothing and
// keeps toml++ away from that code. Likewise a raw control character (a NUL
// in a table header) takes toml++ past an assumption in parse_key() that the
// packaged build compiles to __builtin_assume: TOML forbids them outside
// comments anyway.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace baton::config_detail {
struct TextProblem {
  std::size_t line;
  std::string what;
};

// The first non-ASCII byte or control character outside a comment, if any. A leading UTF-8 byte
// order mark is allowed.
std::optional<TextProblem> find_unsafe_text(std::string_view toml_text);
}  // namespace baton::config_detail
