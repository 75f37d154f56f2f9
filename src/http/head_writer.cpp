#include "http/head_writer.hpp"

#include <charconv>

namespace baton::http {
void append_decimal(std::string& out, std::uint64_t n) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

namespace {
void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

template <typename Strip>
void append_end_to_end_fields(std::string& out, const auto& fields, const ConnectionTokens& named,
                              Strip strip) {
  for (const auto& f : fields) {
    if (strip(f.id, f.name)) continue;
    if (!named.empty() && names_in(f.name, named)) continue;
    append_field(out, f.name, f.value);
  }
}

void append_forwarded_for(std::string& out, const RequestHead& head, std::string_view client_ip) {
  out.append("X-Forwarded-For: ");
  for (const auto& f : head.fields) {
    if (!is_x_forwarded_for(f.id, f.name) || f.value.empty()) continue;
    out.append(f.value);
    out.append(", ");
  }
  out.append(client_ip);
  out.append("\r\n");
}
}  // namespace

void write_request_head(std::string& out, const RequestHead& head, const ForwardOptions& forwarded) {
  out.clear();
  out.append(head.method_text);
  out.push_back(' ');
  out.append(head.path);
  out.append(" HTTP/1.1\r\n");
  auto host = head.host.empty() ? forwarded.fallback_host : head.host;
  append_field(out, "Host", host);
  // Passed or not, "_" spellings of Baton's own fields never reach the app.
  auto strip = [pass = forwarded.pass_underscores, own_id = !forwarded.request_id.empty()](Field id, std::string_view name) {
    if (strip_from_request(id, name)) return true;
    if (own_id && name.size() == 12 && iequals(name, "X-Request-Id")) return true;
    if (name.find('_') == std::string_view::npos) return false;
    return !pass || is_forwarding_field_spelled_with_underscores(name);
  };
  append_end_to_end_fields(out, head.fields, head.connection_tokens, strip);
  append_forwarded_for(out, head, forwarded.client_ip);
  append_field(out, "X-Real-IP", forwarded.client_ip);
  append_field(out, "X-Forwarded-Host", host);
  append_field(out, "X-Forwarded-Proto", "http");
  if (!forwarded.request_id.empty()) append_field(out, "X-Request-Id", forwarded.request_id);
  if (head.websocket_upgrade) {
    out.append("Connection: Upgrade\r\nUpgrade: websocket\r\n");
  }
  if (head.chunked) {
    out.append("Transfer-Encoding: chunked\r\n");
  } else if (head.content_length) {
    out.append("Content-Length: ");
    append_decimal(out, *head.content_length);
    out.append("\r\n");
  }
  out.append("\r\n");
}

ClientFraming choose_client_framing(const ResponseHead& response, unsigned client_version) {
  if (response.no_body) return ClientFraming::none;
  if (response.content_length) return ClientFraming::length;
  // A body that ends with the upstream connection is re-chunked for HTTP/1.1
  // clients so their connection can stay open.
  if (client_version >= 11) return ClientFraming::chunked;
  return ClientFraming::until_close;
}

void write_response_head(std::string& out, const ResponseHead& head, ClientFraming framing, bool keep_alive,
                         unsigned client_version) {
  out.clear();
  out.append("HTTP/1.1 ");
  append_decimal(out, head.status);
  out.push_back(' ');
  out.append(head.reason);
  out.append("\r\n");
  append_end_to_end_fields(out, head.fields, head.connection_tokens, strip_from_response);
  if (head.status == 101) {
    out.append("Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
    return;
  }
  // HEAD and 304 responses keep the length of the body they describe.
  if (head.content_length && head.status != 204 && head.status / 100 != 1) {
    out.append("Content-Length: ");
    append_decimal(out, *head.content_length);
    out.append("\r\n");
  } else if (framing == ClientFraming::chunked) {
    out.append("Transfer-Encoding: chunked\r\n");
  }
  if (!keep_alive) out.append("Connection: close\r\n");
  else if (client_version == 10) out.append("Connection: keep-alive\r\n");
  out.append("\r\n");
}
}  // namespace baton::http
