#include "cli/toml_text.hpp"

#include <fmt/format.h>

namespace baton::cli {
namespace {
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Length of the UTF-8 sequence at the start of text, or 0 when it is not one (overlong forms,
// surrogates and code points past U+10FFFF included).
std::size_t utf8_sequence(std::string_view text) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t length = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3
                     : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
  if (length == 0 || text.size() < length) return 0;
  for (std::size_t i = 1; i < length; ++i)
    if ((byte(i) & 0xC0) != 0x80) return 0;
  unsigned char second = byte(1);
  if (lead == 0xE0 && second < 0xA0) return 0;  // overlong
  if (lead == 0xED && second > 0x9F) return 0;  // a surrogate
  if (lead == 0xF0 && second < 0x90) return 0;  // overlong
  if (lead == 0xF4 && second > 0x8F) return 0;  // past U+10FFFF
  return length;
}

// TOML comments may hold any character but the control ones (tab aside).
std::string comment_safe(std::string_view line) {
  std::string out(line);
  for (auto& c : out) {
    auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7F) c = '?';
  }
  return out;
}

// A multi-byte UTF-8 sequence as TOML's \\uXXXX or \\UXXXXXXXX: Baton's loader takes only ASCII
// in strings, and an escape is ASCII.
std::string escaped_code_point(std::string_view sequence) {
  auto byte = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(sequence[i])); };
  std::uint32_t code = byte(0) & (sequence.size() == 2 ? 0x1F : sequence.size() == 3 ? 0x0F : 0x07);
  for (std::size_t i = 1; i < sequence.size(); ++i) code = (code << 6) | (byte(i) & 0x3F);
  return code > 0xFFFF ? fmt::format("\\U{:08X}", code) : fmt::format("\\u{:04X}", code);
}

bool is_bare_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}
}  // namespace

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    auto length = utf8_sequence(text);
    if (length == 0) {
      out += kReplacement;
      length = 1;
    } else {
      out += text.substr(0, length);
    }
    text.remove_prefix(length);
  }
  return out;
}

std::string toml_string(std::string_view text) {
  std::string out = "\"";
  auto clean = valid_utf8(text);
  std::string_view rest = clean;
  while (!rest.empty()) {
    auto length = utf8_sequence(rest);
    if (length > 1) {
      out += escaped_code_point(rest.substr(0, length));
      rest.remove_prefix(length);
      continue;
    }
    char c = rest.front();
    rest.remove_prefix(1);
    auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (byte < 0x20 || byte == 0x7F)
          out += fmt::format("\\u{:04X}", byte);
        else
          out += c;
    }
  }
  return out + '"';
}

std::string toml_key(std::string_view key) {
  bool bare = !key.empty();
  for (char c : key) bare = bare && is_bare_key_char(c);
  return bare ? std::string(key) : toml_string(key);
}

std::string toml_value(const TomlItem& item) {
  struct Writer {
    std::string operator()(const std::string& text) const { return toml_string(text); }
    std::string operator()(std::int64_t number) const { return std::to_string(number); }
    std::string operator()(bool flag) const { return flag ? "true" : "false"; }
    std::string operator()(const std::vector<std::string>& texts) const {
      std::string out = "[";
      for (const auto& text : texts) out += (out.size() > 1 ? ", " : "") + toml_string(text);
      return out + "]";
    }
    std::string operator()(const std::vector<std::int64_t>& numbers) const {
      std::string out = "[";
      for (auto number : numbers) out += (out.size() > 1 ? ", " : "") + std::to_string(number);
      return out + "]";
    }
  };
  return std::visit(Writer{}, item);
}

std::string toml_comment(std::string_view text, std::size_t width) {
  std::string out;
  auto clean = valid_utf8(text);
  std::string_view rest = clean;
  for (;;) {
    auto end = rest.find('\n');
    auto line = rest.substr(0, end);
    std::string prefix = "# ";
    while (width > 0 && line.size() + prefix.size() > width) {
      auto cut = line.rfind(' ', width - prefix.size());
      if (cut == std::string_view::npos || cut == 0) break;
      out += prefix + comment_safe(line.substr(0, cut)) + '\n';
      line.remove_prefix(cut + 1);
      prefix = "#   ";
    }
    out += (line.empty() ? std::string("#") : prefix + comment_safe(line)) + '\n';
    if (end == std::string_view::npos) return out;
    rest.remove_prefix(end + 1);
  }
}
}  // namespace baton::cli
