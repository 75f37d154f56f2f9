#pragma once
// Reads the literal subset of JavaScript that PM2 ecosystem files are written in, without running
// them: `module.exports = VALUE`, `export default VALUE` or a bare VALUE (JSON), where VALUE is made
// of object and array literals, strings ('', "", `` without ${}), numbers, true, false and null;
// keys may be unquoted, trailing commas and // and /* */ comments are allowed.
#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace baton::cli {
struct JsLiteralError {
  std::size_t line = 1;    // 1-based
  std::size_t column = 1;  // 1-based, in bytes
  std::string reason;
  // True when the text may be valid JavaScript beyond the subset (a require(), a variable, a
  // function, a ${} template...): running it with node can still read it.
  bool beyond_subset = false;
};

std::expected<nlohmann::json, JsLiteralError> parse_js_literal(std::string_view text);

// "FILE:LINE:COL: reason"
std::string describe_js_error(const JsLiteralError& error, std::string_view file);
}  // namespace baton::cli
