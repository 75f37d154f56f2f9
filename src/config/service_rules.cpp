#include "config/service_rules.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

namespace baton::config_detail {
namespace {
constexpr std::size_t kMaxServiceName = 64;
constexpr std::size_t kMaxHostName = 253;  // RFC 1035
constexpr std::size_t kMaxHostLabel = 63;

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

bool is_host_label(std::string_view label) {
  if (label.empty() || label.size() > kMaxHostLabel) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  return std::ranges::all_of(label, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

bool is_host_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxHostName) return false;
  for (std::size_t start = 0;;) {
    auto dot = name.find('.', start);
    if (!is_host_label(name.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}
}  // namespace

bool is_valid_service_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxServiceName && std::ranges::all_of(name, is_name_char);
}

std::expected<std::string, std::string> normalize_host(std::string_view host) {
  std::string lower(host);
  std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower.find(':') != std::string::npos)
    return std::unexpected(fmt::format("'{}' has a port; hosts match the name only", host));
  std::string_view name = lower;
  // Only a leading "*." is a wildcard; anything else would need a pattern language.
  if (name.starts_with("*.")) name.remove_prefix(2);
  if (!is_host_name(name))
    return std::unexpected(fmt::format("'{}' is not a host name (letters, digits, '-' and dots, "
                                       "optionally starting with '*.')", host));
  return lower;
}

std::optional<std::string> path_prefix_problem(std::string_view path) {
  if (!path.starts_with('/')) return fmt::format("must start with '/', not '{}'", path);
  for (unsigned char c : path) {
    if (c <= ' ' || c == 0x7f) return std::string("must not contain spaces or control characters");
    if (c == '?' || c == '#')
      return fmt::format("must not contain '{}': it is a path prefix", static_cast<char>(c));
  }
  return std::nullopt;
}
}  // namespace baton::config_detail
