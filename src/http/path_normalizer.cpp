#include "http/path_normalizer.hpp"

#include <optional>

namespace baton::http {
namespace {
constexpr std::string_view kReservedPrefix = ".baton";

std::optional<unsigned char> hex_value(char c) {
  if (c >= '0' && c <= '9') return static_cast<unsigned char>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<unsigned char>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<unsigned char>(c - 'A' + 10);
  return std::nullopt;
}

bool is_escape_at(std::string_view text, std::size_t i) {
  return i + 2 < text.size() && text[i] == '%' && hex_value(text[i + 1]) && hex_value(text[i + 2]);
}

// Decodes one segment. A decoded byte may not be a separator or a control byte: "%2f" names no
// file, it only hides a '/' from checks made before decoding.
std::optional<std::string> decode_segment(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c == '%') {
      if (!is_escape_at(raw, i)) return std::nullopt;
      c = static_cast<unsigned char>(*hex_value(raw[i + 1]) << 4 | *hex_value(raw[i + 2]));
      if (c == '/' || c == '\\') return std::nullopt;
      i += 2;
    }
    if (c < 0x20 || c == 0x7f || c == '\\') return std::nullopt;
    out.push_back(static_cast<char>(c));
  }
  // "%252e" decodes to "%2e": a second decoder further on would see "."; no file needs that name.
  for (std::size_t i = 0; i < out.size(); ++i)
    if (is_escape_at(out, i)) return std::nullopt;
  return out;
}

// Shortest-form UTF-8 only: overlong forms ("%c0%ae" for '.') and surrogates are how decoders
// that disagree with each other are tricked.
bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (length == 0 || i + length > text.size()) return false;
    if (length == 2 && c < 0xc2) return false;
    for (std::size_t k = 1; k < length; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return false;
    unsigned char next = length > 1 ? static_cast<unsigned char>(text[i + 1]) : 0;
    if (length == 3 && ((c == 0xe0 && next < 0xa0) || (c == 0xed && next >= 0xa0))) return false;
    if (length == 4 && ((c == 0xf0 && next < 0x90) || (c == 0xf4 && next >= 0x90) || c > 0xf4)) return false;
    i += length;
  }
  return true;
}
}  // namespace

std::expected<FilePath, PathRejection> normalize_file_path(std::string_view path) {
  path = path.substr(0, path.find_first_of("?#"));
  if (!path.starts_with('/')) return std::unexpected(PathRejection::bad_request);
  FilePath out;
  out.trailing_slash = path.ends_with('/');
  std::size_t start = 1;
  while (start <= path.size()) {
    auto end = std::min(path.find('/', start), path.size());
    auto segment = decode_segment(path.substr(start, end - start));
    start = end + 1;
    if (!segment || !is_valid_utf8(*segment)) return std::unexpected(PathRejection::bad_request);
    if (segment->empty() || *segment == ".") continue;
    if (*segment == "..") return std::unexpected(PathRejection::bad_request);
    if (segment->starts_with(kReservedPrefix)) return std::unexpected(PathRejection::not_found);
    if (!out.relative.empty()) out.relative.push_back('/');
    out.relative += *segment;
  }
  return out;
}
}  // namespace baton::http
