#include "base/dotenv.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace baton {
namespace {
// Larger files are surely not environment files; reading them whole would only waste memory.
constexpr std::uintmax_t kMaxDotenvBytes = 1 << 20;

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool starts_name(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool in_name(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// A cursor over the whole text that knows its line, since quoted values may span lines.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  bool done() const { return pos_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }
  std::size_t line() const { return line_; }
  char take() {
    char c = text_[pos_++];
    if (c == '\n') ++line_;
    return c;
  }
  void skip_blanks() {
    while (!done() && is_blank(peek())) take();
  }
  bool at_line_end() const { return done() || peek() == '\n' || (peek() == '\r' && next_is('\n')); }
  bool next_is(char c) const { return pos_ + 1 < text_.size() && text_[pos_ + 1] == c; }
  bool at_word(std::string_view word) const {
    return text_.substr(pos_).starts_with(word) && pos_ + word.size() < text_.size() &&
           is_blank(text_[pos_ + word.size()]);
  }
  void skip_to_line_end() {
    while (!at_line_end()) take();
  }
  void end_line() {
    if (!done() && peek() == '\r') take();
    if (!done()) take();
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

using Parsed = std::expected<std::string, DotenvError>;

DotenvError error_at(std::size_t line, std::string reason) { return DotenvError{line, std::move(reason)}; }

// After a closing quote: only blanks, then a comment or the end of the line.
std::expected<void, DotenvError> finish_line(Cursor& in) {
  in.skip_blanks();
  if (in.peek() == '#') in.skip_to_line_end();
  if (!in.at_line_end())
    return std::unexpected(error_at(in.line(), "text after the closing quote (a comment needs a blank before '#')"));
  in.end_line();
  return {};
}

char escaped(char c) {
  switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    default: return c;
  }
}

Parsed read_quoted(Cursor& in, char quote) {
  std::size_t opened = in.line();
  in.take();
  std::string value;
  for (;;) {
    if (in.done())
      return std::unexpected(error_at(opened, fmt::format("the {} quote opened here is never closed",
                                                          quote == '"' ? "double" : "single")));
    char c = in.take();
    if (c == quote) break;
    if (c == '\\' && quote == '"' && !in.done()) {
      char next = in.take();
      // Only \n \t \r \" \\ \$ mean something; any other backslash stays, as other dotenv readers keep it.
      if (std::string_view("ntr\"\\$").find(next) == std::string_view::npos) value += '\\';
      value += escaped(next);
      continue;
    }
    value += c;
  }
  if (auto rest = finish_line(in); !rest) return std::unexpected(rest.error());
  return value;
}

// Up to the end of the line or a " #" comment, without trailing blanks. `blank_before`: the value
// follows a blank, so a '#' at its start begins a comment ("KEY= # none" is empty, "KEY=#1" is "#1").
std::string read_unquoted(Cursor& in, bool blank_before) {
  std::string value;
  while (!in.at_line_end()) {
    char c = in.take();
    if (c == '#' && blank_before) {
      in.skip_to_line_end();
      break;
    }
    blank_before = is_blank(c);
    value += c;
  }
  while (!value.empty() && is_blank(value.back())) value.pop_back();
  in.end_line();
  return value;
}

std::expected<DotenvEntry, DotenvError> read_entry(Cursor& in) {
  DotenvEntry entry{.key = {}, .value = {}, .line = in.line()};
  if (in.at_word("export")) {
    for (int i = 0; i < 6; ++i) in.take();
    in.skip_blanks();
  }
  if (!starts_name(in.peek()))
    return std::unexpected(error_at(entry.line, "expected a line like KEY=value (a name of letters, digits and "
                                                "'_', not starting with a digit)"));
  while (in_name(in.peek())) entry.key += in.take();
  in.skip_blanks();
  if (in.peek() != '=')
    return std::unexpected(error_at(entry.line, in.at_line_end()
                                                    ? fmt::format("'{}' has no '=' and no value", entry.key)
                                                    : fmt::format("'{}' must be followed by '=', not '{}'",
                                                                  entry.key, in.peek())));
  in.take();
  bool blank_before = is_blank(in.peek());
  in.skip_blanks();
  if (in.peek() == '"' || in.peek() == '\'') {
    auto value = read_quoted(in, in.peek());
    if (!value) return std::unexpected(value.error());
    entry.value = std::move(*value);
  } else {
    entry.value = read_unquoted(in, blank_before);
  }
  return entry;
}
}  // namespace

std::expected<std::vector<DotenvEntry>, DotenvError> parse_dotenv(std::string_view text) {
  if (auto nul = text.find('\0'); nul != text.npos)
    return std::unexpected(error_at(1 + std::count(text.begin(), text.begin() + nul, '\n'),
                                    "a NUL byte: this is not a text file"));
  std::vector<DotenvEntry> entries;
  Cursor in(text);
  while (!in.done()) {
    in.skip_blanks();
    if (in.peek() == '#') in.skip_to_line_end();
    if (in.at_line_end()) {
      in.end_line();
      continue;
    }
    auto entry = read_entry(in);
    if (!entry) return std::unexpected(entry.error());
    entries.push_back(std::move(*entry));
  }
  return entries;
}

std::expected<std::vector<DotenvEntry>, std::string> read_dotenv_file(const std::string& path) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec) return std::unexpected(fmt::format("{}: cannot read: {}", path, ec.message()));
  if (!std::filesystem::is_regular_file(status)) return std::unexpected(fmt::format("{}: cannot read: not a file", path));
  if (std::filesystem::file_size(path, ec) > kMaxDotenvBytes)
    return std::unexpected(fmt::format("{}: larger than 1 MiB: not an environment file", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = parse_dotenv(text.str());
  if (!parsed) return std::unexpected(fmt::format("{}:{}: {}", path, parsed.error().line, parsed.error().reason));
  return std::move(*parsed);
}

std::string dotenv_line(std::string_view key, std::string_view value) {
  std::string out = std::string(key) + "=\"";
  for (char c : value) {
    if (c == '"' || c == '\\' || c == '$') out += '\\';
    out += c;
  }
  return out + "\"\n";
}

void set_env_value(std::vector<std::pair<std::string, std::string>>& env, const std::string& key,
                   const std::string& value) {
  auto same = std::ranges::find(env, key, &std::pair<std::string, std::string>::first);
  if (same != env.end()) same->second = value;
  else env.emplace_back(key, value);
}
}  // namespace baton
