#include "cli/js_string.hpp"

#include <cstdint>
#include <utility>

namespace baton::cli::js_detail {
namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
std::uint32_t hex_value(char c) {
  if (is_digit(c)) return static_cast<std::uint32_t>(c - '0');
  return static_cast<std::uint32_t>((c | 0x20) - 'a' + 10);
}

void append_utf8(std::string& out, std::uint32_t code) {
  if (code >= 0xD800 && code <= 0xDFFF) code = 0xFFFD;  // a lone surrogate has no UTF-8 form
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

class StringReader {
 public:
  StringReader(std::string_view text, std::size_t& pos) : text_(text), pos_(pos) {}

  std::expected<std::string, JsTextError> read() {
    auto open = pos_;
    char quote = text_[pos_++];
    std::string out;
    for (;;) {
      if (at_end()) return fail(open, "the string opened here is never closed");
      char c = peek();
      if (c == quote) {
        ++pos_;
        return out;
      }
      if (c == '\\') {
        if (auto escaped = escape(out); !escaped) return std::unexpected(escaped.error());
        continue;
      }
      if (quote == '`' && c == '$' && peek(1) == '{')
        return fail(pos_, "a template with ${} is not a literal", true);
      if (quote != '`' && (c == '\n' || c == '\r')) return fail(open, "the string opened here is never closed");
      out += c;
      ++pos_;
    }
  }

 private:
  std::expected<std::uint32_t, JsTextError> hex_digits(std::size_t count, std::size_t escape_at) {
    std::uint32_t code = 0;
    for (std::size_t i = 0; i < count; ++i, ++pos_) {
      if (!is_hex(peek())) return fail(escape_at, "a bad escape sequence");
      code = code * 16 + hex_value(peek());
    }
    return code;
  }

  std::expected<std::uint32_t, JsTextError> unicode_escape(std::size_t escape_at) {
    if (peek() != '{') return hex_digits(4, escape_at);
    ++pos_;
    std::uint32_t code = 0;
    std::size_t digits = 0;
    while (is_hex(peek())) {
      code = code * 16 + hex_value(peek());
      ++pos_;
      if (++digits > 6 || code > 0x10FFFF) return fail(escape_at, "a bad escape sequence");
    }
    if (digits == 0 || peek() != '}') return fail(escape_at, "a bad escape sequence");
    ++pos_;
    return code;
  }

  std::expected<void, JsTextError> escape(std::string& out) {
    auto escape_at = pos_++;
    if (at_end()) return {};
    char c = text_[pos_++];
    switch (c) {
      case 'n': out += '\n'; return {};
      case 't': out += '\t'; return {};
      case 'r': out += '\r'; return {};
      case 'b': out += '\b'; return {};
      case 'f': out += '\f'; return {};
      case 'v': out += '\v'; return {};
      case '0':
        if (is_digit(peek())) return fail(escape_at, "an octal escape is not allowed");
        out += '\0';
        return {};
      case '\r':
        if (peek() == '\n') ++pos_;
        return {};  // a line continuation
      case '\n': return {};
      case 'x': {
        auto code = hex_digits(2, escape_at);
        if (!code) return std::unexpected(code.error());
        append_utf8(out, *code);
        return {};
      }
      case 'u': {
        auto code = unicode_escape(escape_at);
        if (!code) return std::unexpected(code.error());
        // A surrogate pair written as two escapes is one character.
        if (*code >= 0xD800 && *code <= 0xDBFF && peek() == '\\' && peek(1) == 'u') {
          auto saved = pos_;
          pos_ += 2;
          auto low = unicode_escape(pos_ - 2);
          if (low && *low >= 0xDC00 && *low <= 0xDFFF) {
            append_utf8(out, 0x10000 + ((*code - 0xD800) << 10) + (*low - 0xDC00));
            return {};
          }
          pos_ = saved;
        }
        append_utf8(out, *code);
        return {};
      }
      default:
        if (is_digit(c)) return fail(escape_at, "an octal escape is not allowed");
        out += c;  // \' \" \\ \` and any other character stand for themselves
        return {};
    }
  }

  char peek(std::size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }
  bool at_end() const { return pos_ >= text_.size(); }
  static std::unexpected<JsTextError> fail(std::size_t at, std::string reason, bool beyond = false) {
    return std::unexpected(JsTextError{.at = at, .reason = std::move(reason), .beyond_subset = beyond});
  }

  std::string_view text_;
  std::size_t& pos_;
};
}  // namespace

std::expected<std::string, JsTextError> read_js_string(std::string_view text, std::size_t& pos) {
  return StringReader(text, pos).read();
}
}  // namespace baton::cli::js_detail
