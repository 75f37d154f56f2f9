#include "proxy/static_reply.hpp"

#include <ctime>

#include "http/conditional.hpp"
#include "http/error_response.hpp"
#include "http/head_writer.hpp"
#include "http/static_rules.hpp"

namespace baton::proxy {
namespace {
// Formatting a date costs more than the rest of the head: once per second and thread.
std::string_view current_http_date() {
  thread_local std::time_t formatted_at = 0;
  thread_local std::string text;
  auto now = std::time(nullptr);
  if (now != formatted_at) {
    text.clear();
    http::append_http_date(text, now);
    formatted_at = now;
  }
  return text;
}

std::string_view reason(unsigned status) {
  switch (status) {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 304: return "Not Modified";
    case 404: return "Not Found";
    case 416: return "Range Not Satisfiable";
    default: return "Error";
  }
}

std::string_view cache_policy(const LookupResult& found) {
  bool immutable = found.origin == FileOrigin::exact || found.origin == FileOrigin::earlier_release;
  return immutable && http::is_content_hashed(found.name) ? http::kImmutableCache : http::kRevalidateCache;
}

// Heads are appended piece by piece: this is the hot path of every static response, and a
// format string parsed per field cost more than the rest of the head.
void start_head(std::string& head, unsigned status, const StaticRequestInfo& request) {
  head.clear();
  head += "HTTP/1.1 ";
  http::append_decimal(head, status);
  head += ' ';
  head += reason(status);
  head += "\r\nDate: ";
  head += current_http_date();
  head += "\r\n";
  if (!request.keep_alive) head += "Connection: close\r\n";
  else if (request.version == 10) head += "Connection: keep-alive\r\n";
}

void add_validators(std::string& head, const LookupResult& found, const std::string& etag) {
  head += "ETag: ";
  head += etag;
  head += "\r\nLast-Modified: ";
  http::append_http_date(head, found.st.st_mtim.tv_sec);
  head += "\r\nCache-Control: ";
  head += cache_policy(found);
  head += "\r\n";
  if (found.compressible) head += "Vary: Accept-Encoding\r\n";
}

// RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since.
bool not_modified(const StaticRequestInfo& request, const LookupResult& found, const std::string& etag) {
  if (request.if_none_match) return http::none_match_hits(*request.if_none_match, etag);
  if (!request.if_modified_since) return false;
  auto since = http::parse_http_date(*request.if_modified_since);
  return since && found.st.st_mtim.tv_sec <= *since;
}

http::RangeDecision choose_range(const StaticRequestInfo& request, const std::string& etag, std::uint64_t size) {
  if (!request.range) return {};
  // If-Range with another validator: the client's partial copy is stale, so send it all.
  if (request.if_range && *request.if_range != etag) return {};
  return http::decide_range(*request.range, size);
}

unsigned status_of(const LookupResult& found) {
  return found.origin == FileOrigin::not_found_page ? 404 : 200;
}
}  // namespace

StaticReply static_error(unsigned status, std::string_view code, bool keep_alive) {
  StaticReply reply;
  reply.status = status;
  reply.error = code;
  reply.head = http::make_error_response(status, code, keep_alive);
  return reply;
}

StaticReply static_redirect(const StaticRequestInfo& request) {
  auto query = request.path.find('?');
  auto path = request.path.substr(0, query);
  auto rest = query == std::string_view::npos ? std::string_view() : request.path.substr(query);
  StaticReply reply;
  reply.status = 301;
  start_head(reply.head, 301, request);
  reply.head += "Location: ";
  reply.head += path;
  reply.head += '/';
  reply.head += rest;
  reply.head += "\r\nContent-Length: 0\r\nCache-Control: no-cache\r\n\r\n";
  return reply;
}

StaticReply make_static_reply(LookupResult found, const StaticRequestInfo& request, std::string buffer) {
  StaticReply reply;
  reply.head = std::move(buffer);
  auto size = static_cast<std::uint64_t>(found.st.st_size);
  auto etag = http::make_etag(size, found.st.st_mtim.tv_sec, found.st.st_mtim.tv_nsec, found.coding);
  unsigned status = status_of(found);
  if (status == 200 && not_modified(request, found, etag)) {
    reply.status = 304;
    start_head(reply.head, 304, request);
    add_validators(reply.head, found, etag);
    reply.head += "\r\n";
    return reply;
  }
  auto range = status == 200 ? choose_range(request, etag, size) : http::RangeDecision{};
  if (range.kind == http::RangeKind::unsatisfiable) {
    reply.status = 416;
    start_head(reply.head, 416, request);
    reply.head += "Content-Range: bytes */";
    http::append_decimal(reply.head, size);
    reply.head += "\r\nContent-Length: 0\r\n\r\n";
    return reply;
  }
  reply.status = range.kind == http::RangeKind::partial ? 206 : status;
  reply.offset = range.kind == http::RangeKind::partial ? range.range.first : 0;
  reply.length = range.kind == http::RangeKind::partial ? range.range.length : size;
  start_head(reply.head, reply.status, request);
  auto& head = reply.head;
  head += "Content-Type: ";
  head += http::content_type_for(found.name);
  head += "\r\nContent-Length: ";
  http::append_decimal(head, reply.length);
  head += "\r\nAccept-Ranges: bytes\r\n";
  if (!found.coding.empty()) {
    head += "Content-Encoding: ";
    head += found.coding;
    head += "\r\n";
  }
  if (reply.status == 206) {
    head += "Content-Range: bytes ";
    http::append_decimal(head, reply.offset);
    head += '-';
    http::append_decimal(head, reply.offset + reply.length - 1);
    head += '/';
    http::append_decimal(head, size);
    head += "\r\n";
  }
  add_validators(reply.head, found, etag);
  reply.head += "\r\n";
  if (!request.head_method && reply.length > 0) reply.file = std::move(found.file);
  else reply.length = 0;
  return reply;
}
}  // namespace baton::proxy
