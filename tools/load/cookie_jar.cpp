#include "cookie_jar.hpp"

#include <algorithm>
#include <cctype>

namespace baton::load {
namespace {
std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool iequals(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

// True when an attribute says the cookie is already expired.
bool deletes(std::string_view attributes) {
  while (!attributes.empty()) {
    auto end = attributes.find(';');
    auto attribute = trim(attributes.substr(0, end));
    auto equals = attribute.find('=');
    if (equals != std::string_view::npos && iequals(trim(attribute.substr(0, equals)), "max-age")) {
      auto age = trim(attribute.substr(equals + 1));
      if (age.starts_with('-') || age == "0") return true;
    }
    if (end == std::string_view::npos) break;
    attributes.remove_prefix(end + 1);
  }
  return false;
}
}  // namespace

void CookieJar::store(std::string_view set_cookie) {
  auto semicolon = set_cookie.find(';');
  auto pair = set_cookie.substr(0, semicolon);
  auto equals = pair.find('=');
  if (equals == std::string_view::npos) return;
  auto name = trim(pair.substr(0, equals));
  if (name.empty()) return;
  auto value = trim(pair.substr(equals + 1));
  auto attributes = semicolon == std::string_view::npos ? std::string_view{} : set_cookie.substr(semicolon + 1);
  auto found = std::ranges::find_if(cookies_, [&](const auto& cookie) { return cookie.first == name; });
  if (deletes(attributes)) {
    if (found != cookies_.end()) cookies_.erase(found);
    return;
  }
  if (found != cookies_.end()) found->second = value;
  else cookies_.emplace_back(name, value);
}

std::string CookieJar::header() const {
  std::string out;
  for (const auto& [name, value] : cookies_) {
    if (!out.empty()) out += "; ";
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

}  // namespace baton::load
