#include "config/toml_guard.hpp"

namespace baton::config_detail {
namespace {
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool is_ascii(char c) { return static_cast<unsigned char>(c) < 0x80; }

// TOML allows no raw control character but tab and line ends outside comments.
bool is_control(char c) { return (c >= 0 && c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f; }

bool is_key_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '"' || c == '\'' || c == ']';
}

// toml++ 3.3 assumes that a key (or ']') follows the '[' or '[[' of a table header, and the
// packaged build compiles that to __builtin_assume: '#', '=', a line end there is undefined
// behaviour. `header` starts at the '[' that opens a line.
bool key_follows_bracket(std::string_view header) {
  std::size_t i = 1;
  if (i < header.size() && header[i] == '[') ++i;
  while (i < header.size() && (header[i] == ' ' || header[i] == '\t')) ++i;
  return i >= header.size() || is_key_start(header[i]);
}

// Just enough TOML lexing to tell comments from the rest: a '#' inside a
// string does not start one. Strings are opened on any quote, more eagerly
// than TOML does, which can only make the check stricter on invalid input.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {
    if (text_.starts_with(kUtf8Bom)) pos_ = kUtf8Bom.size();  // toml++ skips a BOM
  }

  std::optional<TextProblem> run() {
    while (!problem_ && pos_ < text_.size()) step();
    return problem_;
  }

 private:
  void step() {
    if (starts_with("\"\"\"")) return multi_line_string("\"\"\"");
    if (starts_with("'''")) return multi_line_string("'''");
    char c = text_[pos_];
    if (c == '"' || c == '\'') return single_line_string(c);
    if (c == '#') return skip_comment();
    if (!is_ascii(c)) return fail("non-ASCII character outside a comment");
    if (is_control(c)) return fail("control character outside a comment");
    if (c == '[' && line_start_ && !key_follows_bracket(text_.substr(pos_)))
      return fail("a table header needs a name after '['");
    line_start_ = c == '\n' || (line_start_ && (c == ' ' || c == '\t'));
    advance();
  }

  void skip_comment() {
    while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
  }

  // An unterminated string ends at the line end; toml++ reports it.
  void single_line_string(char quote) {
    advance();
    while (!problem_ && pos_ < text_.size() && text_[pos_] != '\n') {
      char c = string_char();
      if (c == quote) return;
      if (c == '\\' && quote == '"' && pos_ < text_.size() && text_[pos_] != '\n') string_char();
    }
  }

  void multi_line_string(std::string_view delimiter) {
    pos_ += delimiter.size();
    while (!problem_ && pos_ < text_.size()) {
      if (starts_with(delimiter)) {
        pos_ += delimiter.size();
        // Up to two more quotes belong to the content: """a""""" is a"".
        for (int extra = 0; extra < 2 && pos_ < text_.size() && text_[pos_] == delimiter[0]; ++extra)
          ++pos_;
        return;
      }
      char c = string_char();
      if (c == '\\' && delimiter[0] == '"' && pos_ < text_.size()) string_char();
    }
  }

  // Consumes and returns one byte of string content.
  char string_char() {
    char c = text_[pos_];
    if (!is_ascii(c))
      fail("non-ASCII character in a string (settings are ASCII: write host names in "
           "punycode, percent-encode paths)");
    if (is_control(c)) fail("control character in a string (write it as an escape)");
    advance();
    return c;
  }

  bool starts_with(std::string_view s) const { return text_.substr(pos_).starts_with(s); }

  void advance() {
    if (text_[pos_] == '\n') ++line_;
    ++pos_;
  }

  void fail(std::string what) {
    if (!problem_) problem_ = TextProblem{line_, std::move(what)};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  bool line_start_ = true;  // only spaces and tabs since the last line end
  std::optional<TextProblem> problem_;
};
}  // namespace

std::optional<TextProblem> find_unsafe_text(std::string_view toml_text) {
  return Scanner(toml_text).run();
}
}  // namespace baton::config_detail
