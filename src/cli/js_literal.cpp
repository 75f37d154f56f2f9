#include "cli/js_literal.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>

#include "cli/js_string.hpp"

namespace baton::cli {
namespace {
using nlohmann::json;
using Value = std::expected<json, JsLiteralError>;
using Text = std::expected<std::string, JsLiteralError>;
using Done = std::expected<void, JsLiteralError>;

// Real ecosystem files nest a few levels; the bound keeps hostile input off the stack.
constexpr std::size_t kMaxDepth = 128;

bool is_identifier_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool is_identifier_char(char c) { return is_identifier_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  Value document() {
    if (text_.starts_with("#!")) pos_ = text_.find('\n') == std::string_view::npos ? text_.size() : text_.find('\n');
    if (auto blank = skip_blank(); !blank) return std::unexpected(blank.error());
    if (auto directive = skip_use_strict(); !directive) return std::unexpected(directive.error());
    if (auto head = export_head(); !head) return std::unexpected(head.error());
    auto value_start = pos_;
    auto result = value(0);
    if (!result) return result;
    // An ecosystem is an object ({apps: [...]}) or a list of apps; a lone number or string is not one.
    if (!result->is_object() && !result->is_array())
      return fail(value_start, "the exported value must be an object ({apps: [...]}) or an array of apps");
    if (auto blank = skip_blank(); !blank) return std::unexpected(blank.error());
    if (peek() == ';') ++pos_;
    if (auto blank = skip_blank(); !blank) return std::unexpected(blank.error());
    if (pos_ < text_.size()) return fail(pos_, "more code after the exported value", true);
    return result;
  }

 private:
  char peek(std::size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }
  bool at_end() const { return pos_ >= text_.size(); }

  JsLiteralError fail_error(std::size_t at, std::string reason, bool beyond) const {
    JsLiteralError error;
    error.reason = std::move(reason);
    error.beyond_subset = beyond;
    for (std::size_t i = 0; i < at && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++error.line;
        error.column = 1;
      } else {
        ++error.column;
      }
    }
    return error;
  }
  std::unexpected<JsLiteralError> fail(std::size_t at, std::string reason, bool beyond = false) const {
    return std::unexpected(fail_error(at, std::move(reason), beyond));
  }

  Done skip_blank() {
    while (!at_end()) {
      char c = peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        ++pos_;
      } else if (c == '/' && peek(1) == '/') {
        auto end = text_.find('\n', pos_);
        pos_ = end == std::string_view::npos ? text_.size() : end;
      } else if (c == '/' && peek(1) == '*') {
        auto end = text_.find("*/", pos_ + 2);
        if (end == std::string_view::npos) return fail(pos_, "the comment opened here is never closed");
        pos_ = end + 2;
      } else {
        break;
      }
    }
    return {};
  }

  std::string_view identifier() {
    auto start = pos_;
    if (!is_identifier_start(peek())) return {};
    while (!at_end() && is_identifier_char(peek())) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  // The word, then optional blanks; false (and nothing consumed) when another word is there.
  bool accept_word(std::string_view word) {
    auto start = pos_;
    if (identifier() == word) return true;
    pos_ = start;
    return false;
  }

  Done skip_use_strict() {
    for (std::string_view directive : {"'use strict'", "\"use strict\""}) {
      if (!text_.substr(pos_).starts_with(directive)) continue;
      pos_ += directive.size();
      if (auto blank = skip_blank(); !blank) return blank;
      if (peek() == ';') ++pos_;
      return skip_blank();
    }
    return {};
  }

  // `module.exports =`, `export default`, or nothing before a bare `{` or `[` (JSON).
  Done export_head() {
    auto start = pos_;
    if (accept_word("module")) {
      if (auto blank = skip_blank(); !blank) return blank;
      bool dot = peek() == '.';
      if (dot) ++pos_;
      if (auto blank = skip_blank(); !blank) return blank;
      if (!dot || !accept_word("exports")) return fail(start, "expected 'module.exports ='", true);
      if (auto blank = skip_blank(); !blank) return blank;
      if (peek() != '=') return fail(pos_, "expected '=' after module.exports", true);
      ++pos_;
      return skip_blank();
    }
    if (accept_word("export")) {
      if (auto blank = skip_blank(); !blank) return blank;
      if (!accept_word("default")) return fail(start, "only 'export default' is read", true);
      return skip_blank();
    }
    if (peek() == '{' || peek() == '[' || at_end()) return {};
    auto word = identifier();
    if (!word.empty())
      return fail(start, fmt::format("'{}': only 'module.exports = {{...}}' of literals is read", word), true);
    return fail(start, "expected 'module.exports =' or a JSON value");
  }

  Value value(std::size_t depth) {
    if (depth > kMaxDepth) return fail(pos_, fmt::format("nested deeper than {} levels", kMaxDepth));
    char c = peek();
    if (at_end()) return fail(pos_, "unexpected end of file, expected a value");
    if (c == '{') return object(depth + 1);
    if (c == '[') return array(depth + 1);
    if (c == '"' || c == '\'' || c == '`') {
      auto text = string_literal();
      if (!text) return std::unexpected(text.error());
      return json(std::move(*text));
    }
    if (is_digit(c) || c == '-' || c == '+' || (c == '.' && is_digit(peek(1)))) return number();
    if (is_identifier_start(c)) {
      auto start = pos_;
      auto word = identifier();
      if (word == "true") return json(true);
      if (word == "false") return json(false);
      if (word == "null") return json(nullptr);
      return fail(start, fmt::format("'{}' is not a literal (a variable, a call or a function)", word), true);
    }
    if (c == '(' || c == '!' || c == '/' || c == '~') return fail(pos_, "an expression is not a literal", true);
    return fail(pos_, fmt::format("unexpected character '{}'", c));
  }

  // After a value inside an object or array: the separator, or why there is none.
  std::expected<char, JsLiteralError> separator(char close) {
    if (auto blank = skip_blank(); !blank) return std::unexpected(blank.error());
    char c = peek();
    if (c == ',' || c == close) {
      ++pos_;
      return c;
    }
    if (at_end()) return fail(pos_, fmt::format("unexpected end of file, expected ',' or '{}'", close));
    constexpr std::string_view kOperators = "+-*/%.(?|&<>=[";
    bool operation = kOperators.find(c) != std::string_view::npos || is_identifier_start(c);
    return fail(pos_, fmt::format("expected ',' or '{}'", close), operation);
  }

  Text key() {
    char c = peek();
    if (c == '"' || c == '\'') return string_literal();
    if (c == '`' || c == '[') return fail(pos_, "a computed key is not a literal", true);
    if (c == '.' && peek(1) == '.' && peek(2) == '.') return fail(pos_, "a spread (...) is not a literal", true);
    if (is_digit(c)) {
      auto start = pos_;
      auto number_value = number();
      if (!number_value) return std::unexpected(number_value.error());
      return std::string(text_.substr(start, pos_ - start));
    }
    auto word = identifier();
    if (word.empty()) {
      if (at_end()) return fail(pos_, "unexpected end of file, expected a key or '}'");
      return fail(pos_, fmt::format("unexpected character '{}', expected a key", c));
    }
    return std::string(word);
  }

  // The members of an object or array, each read by read_member, up to the closing bracket.
  template <class ReadMember>
  Done members(char close, std::string_view what, ReadMember read_member) {
    auto open = pos_++;
    for (;;) {
      if (auto blank = skip_blank(); !blank) return blank;
      if (peek() == close) {
        ++pos_;
        return {};
      }
      if (at_end()) return fail(open, fmt::format("the {} opened here is never closed", what));
      if (auto member = read_member(); !member) return member;
      auto next = separator(close);
      if (!next) return std::unexpected(next.error());
      if (*next == close) return {};
    }
  }

  Value object(std::size_t depth) {
    json result = json::object();
    auto done = members('}', "object", [&]() -> Done {
      auto key_start = pos_;
      auto name = key();
      if (!name) return std::unexpected(name.error());
      if (auto blank = skip_blank(); !blank) return blank;
      if (peek() != ':') {
        bool shorthand = peek() == ',' || peek() == '}' || peek() == '(' || is_identifier_start(peek());
        return fail(shorthand ? key_start : pos_, fmt::format("expected ':' after key '{}'", *name), shorthand);
      }
      ++pos_;
      if (auto blank = skip_blank(); !blank) return blank;
      auto member = value(depth);
      if (!member) return std::unexpected(member.error());
      result[*name] = std::move(*member);  // a repeated key keeps the later value, as in JavaScript
      return {};
    });
    if (!done) return std::unexpected(done.error());
    return result;
  }

  Value array(std::size_t depth) {
    json result = json::array();
    auto done = members(']', "array", [&]() -> Done {
      if (peek() == ',') return fail(pos_, "an empty array element is not read", true);
      if (peek() == '.' && peek(1) == '.' && peek(2) == '.') return fail(pos_, "a spread (...) is not a literal", true);
      auto element = value(depth);
      if (!element) return std::unexpected(element.error());
      result.push_back(std::move(*element));
      return {};
    });
    if (!done) return std::unexpected(done.error());
    return result;
  }

  Text string_literal() {
    auto text = js_detail::read_js_string(text_, pos_);
    if (!text) return fail(text.error().at, text.error().reason, text.error().beyond_subset);
    return std::move(*text);
  }

  // Digits, with the separators JavaScript allows between them.
  std::string digits(bool (*accept)(char)) {
    std::string out;
    while (accept(peek()) || (peek() == '_' && !out.empty() && accept(peek(1)))) {
      if (peek() != '_') out += peek();
      ++pos_;
    }
    return out;
  }

  Value number() {
    auto start = pos_;
    bool negative = peek() == '-';
    if (peek() == '-' || peek() == '+') ++pos_;
    if (!is_digit(peek()) && !(peek() == '.' && is_digit(peek(1))))
      return fail(start, "an expression is not a literal", true);
    bool hex = peek() == '0' && (peek(1) == 'x' || peek(1) == 'X');
    // JavaScript reads 010 as the octal 8 (or refuses it in strict code): never guess which.
    if (peek() == '0' && is_digit(peek(1))) return fail(start, "a number with a leading zero (octal in JavaScript)");
    auto result = hex ? hex_number(start, negative) : decimal_number(start, negative);
    if (result && (is_identifier_char(peek()) || peek() == '.')) return fail(start, "a bad number");
    return result;
  }

  Value hex_number(std::size_t start, bool negative) {
    pos_ += 2;
    auto hex = digits(is_hex);
    if (hex.empty()) return fail(start, "a bad number");
    std::uint64_t magnitude = 0;
    auto [end, error] = std::from_chars(hex.data(), hex.data() + hex.size(), magnitude, 16);
    if (error == std::errc() && magnitude <= static_cast<std::uint64_t>(INT64_MAX))
      return json(negative ? -static_cast<std::int64_t>(magnitude) : static_cast<std::int64_t>(magnitude));
    double as_double = std::strtod(("0x" + hex).c_str(), nullptr);
    return json(negative ? -as_double : as_double);
  }

  Value decimal_number(std::size_t start, bool negative) {
    std::string plain = negative ? "-" : "";
    plain += digits(is_digit);
    bool integral = true;
    if (peek() == '.') {
      ++pos_;
      plain += '.' + digits(is_digit);
      integral = false;
    }
    if (peek() == 'e' || peek() == 'E') {
      std::string exponent = "e";
      ++pos_;
      if (peek() == '+' || peek() == '-') exponent += text_[pos_++];
      auto power = digits(is_digit);
      if (power.empty()) return fail(start, "a bad number");
      plain += exponent + power;
      integral = false;
    }
    std::int64_t whole = 0;
    auto [end, error] = std::from_chars(plain.data(), plain.data() + plain.size(), whole);
    if (integral && error == std::errc() && end == plain.data() + plain.size()) return json(whole);
    return json(std::strtod(plain.c_str(), nullptr));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};
}  // namespace

std::expected<nlohmann::json, JsLiteralError> parse_js_literal(std::string_view text) {
  return Reader(text).document();
}

std::string describe_js_error(const JsLiteralError& error, std::string_view file) {
  return fmt::format("{}:{}:{}: {}", file, error.line, error.column, error.reason);
}
}  // namespace baton::cli
