#include "http/header_rules.hpp"

namespace baton::http {
bool strip_from_response(Field id, std::string_view) {
  switch (id) {
    case Field::connection:
    case Field::keep_alive:
    case Field::proxy_connection:
    case Field::te:
    case Field::trailer:
    case Field::transfer_encoding:
    case Field::upgrade:
    case Field::content_length:
      return true;
    default:
      return false;
  }
}

bool is_x_forwarded_for(Field id, std::string_view name) {
  return id == Field::unknown && iequals(name, "x-forwarded-for");
}

bool strip_from_request(Field id, std::string_view name) {
  switch (id) {
    case Field::expect:  // Baton answers 100-continue itself
    case Field::host:
      return true;
    case Field::unknown:
      return (name.size() >= 15 && (iequals(name, "x-forwarded-for") || iequals(name, "x-forwarded-host") ||
                                    iequals(name, "x-forwarded-proto"))) ||
             iequals(name, "x-real-ip");
    default:
      return strip_from_response(id, name);
  }
}

bool is_forwarding_field_spelled_with_underscores(std::string_view name) {
  char dashed[32];
  if (name.size() > sizeof dashed) return false;
  for (std::size_t i = 0; i < name.size(); ++i) dashed[i] = name[i] == '_' ? '-' : name[i];
  std::string_view as_dashed(dashed, name.size());
  return iequals(as_dashed, "x-forwarded-for") || iequals(as_dashed, "x-forwarded-host") ||
         iequals(as_dashed, "x-forwarded-proto") || iequals(as_dashed, "x-real-ip");
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

bool names_in(std::string_view name, const ConnectionTokens& tokens) {
  for (auto token : tokens)
    if (iequals(name, token)) return true;
  return false;
}

namespace {
bool is_reg_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '%' || c == '!' || c == '$' || c == '&' ||
         c == '\'' || c == '(' || c == ')' || c == '*' || c == '+' || c == ',' || c == ';' || c == '=';
}

bool is_port(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  for (char c : port)
    if (c < '0' || c > '9') return false;
  return true;
}
}  // namespace

bool is_valid_host(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  std::string_view name = host;
  if (host.front() == '[') {
    auto close = host.find(']');
    if (close == std::string_view::npos || close < 3) return false;
    for (char c : host.substr(1, close - 1))
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.'))
        return false;
    auto rest = host.substr(close + 1);
    return rest.empty() || (rest.front() == ':' && is_port(rest.substr(1)));
  }
  if (auto colon = host.find(':'); colon != std::string_view::npos) {
    if (!is_port(host.substr(colon + 1))) return false;
    name = host.substr(0, colon);
  }
  if (name.empty()) return false;
  for (char c : name)
    if (!is_reg_name_char(c)) return false;
  return true;
}
}  // namespace baton::http
