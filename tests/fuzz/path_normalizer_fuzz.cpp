// Request paths for static files: whatever comes in, an accepted path is relative, has no ".."
// or empty segment, no NUL, backslash or control byte, and no escape left to decode.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/check.hpp"
#include "http/path_normalizer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto normal = baton::http::normalize_file_path(input);
  if (!normal) return 0;
  std::string_view path = normal->relative;
  BATON_CHECK(!path.starts_with('/') && !path.ends_with('/'));
  BATON_CHECK(path.find("//") == std::string_view::npos);
  BATON_CHECK(path.find('\\') == std::string_view::npos);
  for (unsigned char c : path) BATON_CHECK(c >= 0x20 && c != 0x7f);
  for (std::size_t start = 0; start < path.size();) {
    auto end = std::min(path.find('/', start), path.size());
    auto segment = path.substr(start, end - start);
    BATON_CHECK(segment != ".." && segment != ".");
    start = end + 1;
  }
  // Nothing left that a second decoder would turn into something else.
  auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  for (std::size_t i = 0; i + 2 < path.size(); ++i)
    BATON_CHECK(!(path[i] == '%' && hex(path[i + 1]) && hex(path[i + 2])));
  return 0;
}
