#include "request_head.hpp"

#include <algorithm>
#include <charconv>

namespace baton::test_backend {
namespace {

constexpr std::string_view kCrlf = "\r\n";

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) { return !s.empty() && std::ranges::all_of(s, is_tchar); }

// Field values may hold HTAB, visible ASCII, spaces and obs-text; never CR, LF or NUL.
bool is_value_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u == '\t' || (u >= 0x20 && u != 0x7f);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Strict number: digits only, no sign, no overflow.
std::optional<std::uint64_t> parse_decimal(std::string_view s) {
  std::uint64_t value = 0;
  if (s.empty() || s.size() > 19) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return value;
}

template <typename Visit>
void for_each_list_item(std::string_view list, Visit visit) {
  while (!list.empty()) {
    auto comma = list.find(',');
    visit(trim(list.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

bool parse_request_line(std::string_view line, RequestHead& out) {
  auto first_space = line.find(' ');
  if (first_space == std::string_view::npos) return false;
  out.method = line.substr(0, first_space);
  auto rest = line.substr(first_space + 1);
  auto second_space = rest.find(' ');
  if (second_space == std::string_view::npos) return false;
  out.target = rest.substr(0, second_space);
  auto version = rest.substr(second_space + 1);
  bool target_ok = !out.target.empty() &&
                   std::ranges::all_of(out.target, [](char c) {
                     auto u = static_cast<unsigned char>(c);
                     return u > 0x20 && u != 0x7f;
                   });
  if (!is_token(out.method) || !target_ok) return false;
  if (version == "HTTP/1.1") out.minor_version = 1;
  else if (version == "HTTP/1.0") out.minor_version = 0;
  else return false;
  return true;
}

// A field line is `token ":" OWS value OWS`; whitespace before the colon and
// obs-fold continuation lines are refused (both are smuggling vectors).
bool parse_field_line(std::string_view line, HeaderField& out) {
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  out.name = line.substr(0, colon);
  out.value = trim(line.substr(colon + 1));
  return is_token(out.name) && std::ranges::all_of(out.value, is_value_char);
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
    return lower(x) == lower(y);
  });
}

std::string_view RequestHead::path() const { return target.substr(0, target.find('?')); }

std::optional<std::string_view> RequestHead::field(std::string_view name) const {
  for (std::size_t i = 0; i < field_count; ++i)
    if (iequals(fields[i].name, name)) return fields[i].value;
  return std::nullopt;
}

bool RequestHead::has_token(std::string_view name, std::string_view token) const {
  bool found = false;
  for (std::size_t i = 0; i < field_count; ++i) {
    if (!iequals(fields[i].name, name)) continue;
    for_each_list_item(fields[i].value, [&](std::string_view item) { found |= iequals(item, token); });
  }
  return found;
}

std::optional<std::size_t> find_head_end(std::string_view bytes) {
  auto end = bytes.find("\r\n\r\n");
  if (end == std::string_view::npos) return std::nullopt;
  return end + 4;
}

bool parse_request_head(std::string_view head, RequestHead& out) {
  out.field_count = 0;
  auto eol = head.find(kCrlf);
  if (eol == std::string_view::npos || !parse_request_line(head.substr(0, eol), out)) return false;
  head.remove_prefix(eol + 2);
  int host_count = 0;
  while (true) {
    eol = head.find(kCrlf);
    if (eol == std::string_view::npos) return false;
    auto line = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    if (line.empty()) break;
    if (out.field_count == kMaxHeaderFields) return false;
    auto& field = out.fields[out.field_count++];
    if (!parse_field_line(line, field)) return false;
    if (iequals(field.name, "Host")) ++host_count;
  }
  // RFC 9112 section 3.2: a 1.1 request has exactly one Host, a 1.0 one at most one.
  return host_count == 1 || (out.minor_version == 0 && host_count == 0);
}

std::optional<BodyFraming> body_framing(const RequestHead& head) {
  bool has_transfer_encoding = false;
  bool chunked_is_last = false;
  std::optional<std::uint64_t> length;
  for (std::size_t i = 0; i < head.field_count; ++i) {
    const auto& f = head.fields[i];
    if (iequals(f.name, "Transfer-Encoding")) {
      has_transfer_encoding = true;
      for_each_list_item(f.value, [&](std::string_view item) { chunked_is_last = iequals(item, "chunked"); });
    } else if (iequals(f.name, "Content-Length")) {
      bool valid = !f.value.empty();
      for_each_list_item(f.value, [&](std::string_view item) {
        auto value = parse_decimal(item);
        if (!value || (length && *length != *value)) valid = false;
        else length = value;
      });
      if (!valid) return std::nullopt;
    }
  }
  if (has_transfer_encoding) {
    if (length || head.minor_version == 0 || !chunked_is_last) return std::nullopt;
    return BodyFraming{BodyKind::chunked, 0};
  }
  if (length) return BodyFraming{BodyKind::length, *length};
  return BodyFraming{};
}

bool wants_keep_alive(const RequestHead& head) {
  if (head.minor_version == 0) return head.has_token("Connection", "keep-alive");
  return !head.has_token("Connection", "close");
}

std::optional<std::uint64_t> query_number(std::string_view target, std::string_view name) {
  auto question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  auto query = target.substr(question + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name)
      return parse_decimal(pair.substr(equals + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

}  // namespace baton::test_backend
