#include "proxy/affinity.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "http/header_rules.hpp"

namespace baton::proxy {
namespace {
bool is_cookie_octet(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x21 && u <= 0x7e && c != '"' && c != ',' && c != ';' && c != '\\';
}

std::optional<std::string_view> cookie_in(std::string_view list, std::string_view name) {
  while (!list.empty()) {
    auto semicolon = list.find(';');
    auto pair = http::trim_ows(list.substr(0, semicolon));
    auto equals = pair.find('=');
    if (equals != std::string_view::npos && http::trim_ows(pair.substr(0, equals)) == name) {
      auto value = http::trim_ows(pair.substr(equals + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      return value;
    }
    if (semicolon == std::string_view::npos) break;
    list.remove_prefix(semicolon + 1);
  }
  return std::nullopt;
}
}  // namespace

bool is_cookie_value(std::string_view value) {
  return !value.empty() && std::ranges::all_of(value, is_cookie_octet);
}

std::string set_cookie_line(std::string_view name, std::string_view value, std::chrono::seconds max_age) {
  return fmt::format("Set-Cookie: {}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax\r\n", name, value,
                     max_age.count());
}

std::optional<std::string_view> find_cookie(std::span<const http::HeaderField> fields, std::string_view name) {
  for (const auto& f : fields) {
    if (f.id != http::Field::cookie) continue;
    if (auto value = cookie_in(f.value, name)) return value;
  }
  return std::nullopt;
}

Affinity make_affinity(std::string_view service, const TargetSet& targets, bool wanted,
                       std::chrono::milliseconds max_age, std::size_t routed_releases) {
  Affinity affinity;
  const auto& releases = targets.releases();
  bool several = releases.size() >= 2 || routed_releases >= 2;
  if (!wanted || !several || targets.targets().empty() || !std::ranges::all_of(releases, is_cookie_value))
    return affinity;
  // Service names are [A-Za-z0-9_-] (config rules): always a valid cookie name.
  affinity.cookie = fmt::format("baton_{}", service);
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(max_age);
  for (const auto& release : releases)
    affinity.set_cookie.push_back(set_cookie_line(affinity.cookie, release, seconds));
  return affinity;
}

int pinned_release(const Affinity& affinity, const TargetSet& targets, std::span<const http::HeaderField> fields) {
  if (!affinity.enabled()) return TargetSet::kAnyRelease;
  auto value = find_cookie(fields, affinity.cookie);
  return value ? targets.find_release(*value) : TargetSet::kAnyRelease;
}
}  // namespace baton::proxy
