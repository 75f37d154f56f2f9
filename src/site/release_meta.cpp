#include "site/release_meta.hpp"

#include <charconv>

#include <fmt/format.h>

namespace baton::site {
namespace {
std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

template <typename T>
bool parse_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}
}  // namespace

std::string format_meta(const ReleaseMeta& meta) {
  return fmt::format("version={}\npublished={}\nfiles={}\nbytes={}\n", one_line(meta.version),
                     meta.published_unix, meta.files, meta.bytes);
}

std::optional<ReleaseMeta> parse_meta(std::string_view text) {
  ReleaseMeta meta;
  while (!text.empty()) {
    auto end = text.find('\n');
    auto line = text.substr(0, end);
    text = end == text.npos ? std::string_view() : text.substr(end + 1);
    auto equals = line.find('=');
    if (equals == line.npos) continue;
    auto key = line.substr(0, equals);
    auto value = line.substr(equals + 1);
    bool ok = true;
    if (key == "version") meta.version = std::string(value);
    else if (key == "published") ok = parse_number(value, meta.published_unix);
    else if (key == "files") ok = parse_number(value, meta.files);
    else if (key == "bytes") ok = parse_number(value, meta.bytes);
    if (!ok) return std::nullopt;
  }
  return meta;
}
}  // namespace baton::site
