#include "http/request_parser.hpp"

#include <functional>

#include <boost/beast/http/error.hpp>

#include "http/header_rules.hpp"

namespace baton::http {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {
bool within(std::string_view outer, std::string_view inner) {
  std::less<const char*> before;
  return !before(inner.data(), outer.data()) && !before(outer.data() + outer.size(), inner.data() + inner.size());
}

bool all_digits(std::string_view s) {
  if (s.empty() || s.size() > 19) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// A client's Sec-WebSocket-Key is 16 random bytes in base64: 24 characters, "==" last.
bool is_websocket_key(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  for (char c : key.substr(0, 22))
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'))
      return false;
  return true;
}
}  // namespace

void RequestHead::clear() {
  method = Verb::unknown;
  method_text = target = path = host = websocket_key = {};
  version = 11;
  fields.clear();
  connection_tokens.clear();
  content_length.reset();
  chunked = false;
  keep_alive = true;
  expect_continue = false;
  websocket_upgrade = false;
}

bool RequestHead::is_idempotent() const {
  switch (method) {
    case Verb::get: case Verb::head: case Verb::put: case Verb::delete_:
    case Verb::options: case Verb::trace:
      return true;
    default:
      return false;
  }
}

unsigned status_of(Rejection r) {
  switch (r) {
    case Rejection::none: return 200;
    case Rejection::bad_request: return 400;
    case Rejection::uri_too_long: return 414;
    case Rejection::headers_too_large: return 431;
    case Rejection::body_too_large: return 413;
    case Rejection::not_implemented: return 501;
    case Rejection::expectation_failed: return 417;
  }
  return 400;
}

RequestParser::RequestParser(RequestHead& head, BodyPieces& body, const RequestLimits& limits)
    : BodyRecordingParser<true>(body), head_(head), limits_(limits) {
  head_.clear();
  header_limit(limits.max_request_line + limits.max_header_bytes + 4);
  body_limit(limits.max_body ? boost::optional<std::uint64_t>(*limits.max_body) : boost::none);
}

void RequestParser::reject(Rejection why, std::string_view reason, beast::error_code& ec) {
  if (rejection_ == Rejection::none) {
    rejection_ = why;
    reason_ = reason;
  }
  ec = bhttp::error::bad_value;
}

std::size_t RequestParser::parse_head(std::string_view data) {
  beast::error_code ec;
  eager(false);
  input_ = data;
  auto used = put(boost::asio::buffer(data.data(), data.size()), ec);
  if (ec == bhttp::error::need_more) {
    bool line_complete = data.substr(0, limits_.max_request_line + 2).find('\n') != std::string_view::npos;
    if (!line_complete && data.size() > limits_.max_request_line + 2)
      reject(Rejection::uri_too_long, "request line too long", ec);
    return 0;
  }
  if (ec == bhttp::error::header_limit) {
    bool line_complete = data.substr(0, limits_.max_request_line + 2).find('\n') != std::string_view::npos;
    reject(line_complete ? Rejection::headers_too_large : Rejection::uri_too_long, "head too large", ec);
    return 0;
  }
  if (ec == bhttp::error::body_limit) {
    reject(Rejection::body_too_large, "Content-Length above the limit", ec);
    return 0;
  }
  if (ec) {
    reject(Rejection::bad_request, "malformed request head", ec);
    return 0;
  }
  if (!check_head_bytes(data.substr(0, used))) return 0;
  return used;
}

// Checks Beast cannot make from callbacks: obs-fold (Beast unfolds it silently)
// and the size of the header block without the request line.
bool RequestParser::check_head_bytes(std::string_view head) {
  beast::error_code ec;
  auto line_end = head.find('\n');
  if (head.size() - line_end > limits_.max_header_bytes + 2) {
    reject(Rejection::headers_too_large, "header block too large", ec);
    return false;
  }
  for (auto at = head.find('\n'); at != std::string_view::npos && at + 1 < head.size();
       at = head.find('\n', at + 1)) {
    if (head[at + 1] == ' ' || head[at + 1] == '\t') {
      reject(Rejection::bad_request, "obsolete line folding", ec);
      return false;
    }
  }
  return true;
}

std::size_t RequestParser::parse_body(std::string_view data) {
  beast::error_code ec;
  eager(true);
  auto used = put(boost::asio::buffer(data.data(), data.size()), ec);
  if (ec == bhttp::error::need_more) return used;
  if (ec == bhttp::error::body_limit) reject(Rejection::body_too_large, "body above the limit", ec);
  else if (ec) reject(Rejection::bad_request, "malformed body framing", ec);
  return used;
}

void RequestParser::on_request_impl(bhttp::verb method, boost::beast::string_view method_str,
                                    boost::beast::string_view target, int version, beast::error_code& ec) {
  head_.method = method;
  head_.method_text = method_str;
  head_.target = target;
  head_.version = static_cast<unsigned>(version);
  if (version != 10 && version != 11) return reject(Rejection::bad_request, "unsupported HTTP version", ec);
  // method SP target SP "HTTP/1.1"
  if (method_str.size() + target.size() + 10 > limits_.max_request_line)
    return reject(Rejection::uri_too_long, "request line too long", ec);
  if (method == bhttp::verb::connect) return reject(Rejection::not_implemented, "CONNECT is not supported", ec);
  finish_target(ec);
}

void RequestParser::finish_target(beast::error_code& ec) {
  auto target = head_.target;
  if (target.starts_with('/')) {
    head_.path = target;
    return;
  }
  if (target == "*" && head_.method == bhttp::verb::options) {
    head_.path = target;
    return;
  }
  std::string_view rest;
  if (starts_with_nocase(target, "http://")) rest = target.substr(7);
  else if (starts_with_nocase(target, "https://")) rest = target.substr(8);
  else return reject(Rejection::bad_request, "request target must be a path or an absolute URL", ec);
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) return reject(Rejection::bad_request, "absolute URL without a path", ec);
  auto authority = rest.substr(0, slash);
  if (authority.find('@') != std::string_view::npos || !is_valid_host(authority))
    return reject(Rejection::bad_request, "bad authority in the request target", ec);
  head_.host = authority;
  head_.path = rest.substr(slash);
}

void RequestParser::on_field_impl(bhttp::field f, boost::beast::string_view name, boost::beast::string_view value,
                                  beast::error_code& ec) {
  if (in_trailer_) {
    // Trailers are dropped, but one that tries to frame or route is an attack.
    if (f == Field::content_length || f == Field::transfer_encoding || f == Field::host ||
        f == Field::connection || f == Field::trailer || f == Field::upgrade)
      reject(Rejection::bad_request, "framing field in a trailer", ec);
    return;
  }
  if (head_.fields.size() >= limits_.max_header_count)
    return reject(Rejection::headers_too_large, "too many header fields", ec);
  // Beast unfolds obs-fold into a buffer of its own that is gone after this call; a view kept
  // from it (Host) would dangle by on_header_impl, before check_head_bytes() sees the fold.
  if (!value.empty() && !within(input_, value)) return reject(Rejection::bad_request, "obsolete line folding", ec);
  HeaderField field{f, name, value};
  head_.fields.push_back(field);
  check_field(field, ec);
}

void RequestParser::check_field(const HeaderField& field, beast::error_code& ec) {
  auto value = field.value;
  switch (field.id) {
    case Field::host:
      if (++host_count_ > 1) return reject(Rejection::bad_request, "repeated Host", ec);
      if (head_.host.empty()) head_.host = value;
      return;
    case Field::content_length:
      if (++content_length_count_ > 1) return reject(Rejection::bad_request, "repeated Content-Length", ec);
      if (!all_digits(value)) return reject(Rejection::bad_request, "bad Content-Length", ec);
      return;
    case Field::transfer_encoding: {
      if (++transfer_encoding_count_ > 1) return reject(Rejection::bad_request, "repeated Transfer-Encoding", ec);
      if (iequals(trim_ows(value), "chunked")) return;
      std::string_view last;
      for_each_token(value, [&](std::string_view t) { last = t; });
      if (iequals(last, "chunked")) return reject(Rejection::not_implemented, "unsupported transfer coding", ec);
      return reject(Rejection::bad_request, "Transfer-Encoding must end in chunked", ec);
    }
    case Field::connection: {
      bool overflow = false;
      for_each_token(value, [&](std::string_view t) { overflow |= !head_.connection_tokens.push_back(t); });
      if (overflow) return reject(Rejection::bad_request, "too many Connection tokens", ec);
      return;
    }
    case Field::upgrade:
      for_each_token(value, [&](std::string_view t) { upgrade_websocket_ |= iequals(t, "websocket"); });
      return;
    case Field::expect:
      if (!iequals(trim_ows(value), "100-continue")) return reject(Rejection::expectation_failed, "unknown expectation", ec);
      head_.expect_continue = true;
      return;
    case Field::sec_websocket_key:
      has_websocket_key_ = is_websocket_key(value);
      head_.websocket_key = value;
      return;
    case Field::sec_websocket_version:
      websocket_version_13_ = trim_ows(value) == "13";
      return;
    default:
      return;
  }
}

void RequestParser::on_header_impl(beast::error_code& ec) {
  in_trailer_ = true;
  if (head_.version == 11 && host_count_ == 0) return reject(Rejection::bad_request, "missing Host", ec);
  if (head_.version == 10 && transfer_encoding_count_ > 0)
    return reject(Rejection::bad_request, "Transfer-Encoding in an HTTP/1.0 request", ec);
  if (!head_.host.empty() && !is_valid_host(head_.host)) return reject(Rejection::bad_request, "bad Host", ec);
  if (head_.version == 10 && head_.expect_continue) head_.expect_continue = false;
  head_.keep_alive = keep_alive();
  head_.chunked = chunked();
  if (auto length = content_length()) head_.content_length = *length;
  bool wants_upgrade = upgrade_websocket_ && names_in("upgrade", head_.connection_tokens);
  if (wants_upgrade) {
    if (head_.method != bhttp::verb::get || !has_websocket_key_ || !websocket_version_13_ || head_.has_body())
      return reject(Rejection::bad_request, "bad WebSocket handshake", ec);
    head_.websocket_upgrade = true;
  }
}


}  // namespace baton::http
