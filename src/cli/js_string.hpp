#pragma once
// JavaScript string literals ('...', "...", and `...` without ${}) decoded to UTF-8: the strings
// of ecosystem files, for js_literal.
#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

namespace baton::cli::js_detail {
struct JsTextError {
  std::size_t at = 0;  // offset in the text
  std::string reason;
  bool beyond_subset = false;  // valid JavaScript, but not a literal (a ${} template)
};

// The string whose opening quote is at text[pos]; pos then stands after its closing quote.
std::expected<std::string, JsTextError> read_js_string(std::string_view text, std::size_t& pos);
}  // namespace baton::cli::js_detail
