#pragma once
// Header rules shared by request and response forwarding: which fields are
// hop-by-hop and the small token-list helpers they need.
#include <boost/beast/http/field.hpp>
#include <string_view>

#include "http/small_vector.hpp"

namespace baton::http {
using Field = boost::beast::http::field;

// Fields a proxy must never forward (RFC 9110 §7.6.1) plus the framing fields
// Baton writes itself; requests also lose the fields Baton sets (Host, X-Forwarded-*, X-Real-IP).
bool strip_from_response(Field id, std::string_view name);
bool strip_from_request(Field id, std::string_view name);
// X_Forwarded_For and the like: frameworks that fold "_" into "-" read them as Baton's own fields.
bool is_forwarding_field_spelled_with_underscores(std::string_view name);
// Beast has no enum value for X-Forwarded-*: these compare names.
bool is_x_forwarded_for(Field id, std::string_view name);

// `text` without leading and trailing spaces and tabs (optional whitespace, RFC 9110 §5.6.3).
inline std::string_view trim_ows(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The tokens a Connection header names; each names a field to strip as well.
using ConnectionTokens = SmallVector<std::string_view, 8>;

// Calls `visit(token)` for every comma-separated, whitespace-trimmed, non-empty token.
template <typename Visit>
void for_each_token(std::string_view list, Visit&& visit) {
  while (!list.empty()) {
    auto comma = list.find(',');
    auto token = trim_ows(list.substr(0, comma));
    if (!token.empty()) visit(token);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

bool iequals(std::string_view a, std::string_view b);
bool names_in(std::string_view name, const ConnectionTokens& tokens);

// Host header (or absolute-form authority): reg-name, IPv4 or [IPv6], optional :port.
bool is_valid_host(std::string_view host);
}  // namespace baton::http
