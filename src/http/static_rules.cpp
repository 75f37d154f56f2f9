#include "http/static_rules.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace baton::http {
namespace {
constexpr std::array<std::pair<std::string_view, std::string_view>, 30> kTypes{{
    {"html", "text/html; charset=utf-8"},       {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},         {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},  {"json", "application/json"},
    {"map", "application/json"},                {"webmanifest", "application/manifest+json"},
    {"txt", "text/plain; charset=utf-8"},       {"xml", "application/xml"},
    {"svg", "image/svg+xml"},                   {"png", "image/png"},
    {"jpg", "image/jpeg"},                      {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},                       {"webp", "image/webp"},
    {"avif", "image/avif"},                     {"ico", "image/x-icon"},
    {"woff", "font/woff"},                      {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},                        {"otf", "font/otf"},
    {"wasm", "application/wasm"},               {"pdf", "application/pdf"},
    {"mp4", "video/mp4"},                       {"webm", "video/webm"},
    {"mp3", "audio/mpeg"},                      {"csv", "text/csv; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},     {"zip", "application/zip"},
}};

bool equal_nocase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

std::string_view base_name(std::string_view path) { return path.substr(path.rfind('/') + 1); }

bool looks_like_hash(std::string_view part) {
  if (part.size() < 8 || part.size() > 64) return false;
  bool digit = false;
  for (char c : part) {
    bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum) return false;
    digit = digit || (c >= '0' && c <= '9');
  }
  return digit;
}
}  // namespace

std::string_view content_type_for(std::string_view file_name) {
  auto name = base_name(file_name);
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  auto extension = name.substr(dot + 1);
  for (const auto& [known, type] : kTypes)
    if (equal_nocase(known, extension)) return type;
  return "application/octet-stream";
}

bool is_content_hashed(std::string_view file_name) {
  auto name = base_name(file_name);
  auto first = name.find_first_of(".-");
  if (first == std::string_view::npos) return false;
  auto rest = name.substr(first + 1);
  while (!rest.empty()) {
    auto end = std::min(rest.find_first_of(".-"), rest.size());
    if (end < rest.size() && looks_like_hash(rest.substr(0, end))) return true;  // not the extension
    rest = end < rest.size() ? rest.substr(end + 1) : std::string_view();
  }
  return false;
}

bool is_compressible(std::string_view content_type) {
  return content_type.starts_with("text/") || content_type.starts_with("application/json") ||
         content_type.starts_with("application/manifest") || content_type == "application/xml" ||
         content_type == "image/svg+xml" || content_type == "application/wasm";
}

bool has_no_extension(std::string_view relative_path) {
  return base_name(relative_path).find('.') == std::string_view::npos;
}
}  // namespace baton::http
