#include "http/request_parser.hpp"

#include <cctype>
#include <functional>

#include <boost/beast/http/error.hpp>

#include "http/header_rules.hpp"

namespace baton::http {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {
constexpr std::size_t kMaxChunkSizeDigits = 16;
// A chunk-size line with its extensions; nginx and Node allow no more than a few KiB either.
constexpr std::size_t kMaxChunkLineBytes = 4096;

bool within(std::string_view outer, std::string_view inner) {
  std::less<const char*> before;
  return !before(inner.data(), outer.data()) && !before(outer.data() + outer.size(), inner.data() + inner.size());
}

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
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

// Beast's parser takes the request line as soon as it is whole and then expects
// the caller to drop those bytes, but every view in the head must point into the
// caller's buffer, which may move between reads. So the head goes to Beast in one
// put() once its end has arrived; until then only its lines are checked, each
// once, so a head trickling in byte by byte costs linear time and any limit or
// bare LF is refused as soon as it shows, not when the header deadline fires.
std::size_t RequestParser::parse_head(std::string_view data) {
  auto end = find_head_end(data);
  if (end == 0) return 0;
  auto head = data.substr(0, end);
  beast::error_code ec;
  eager(false);
  input_ = head;
  auto used = put(boost::asio::buffer(head.data(), head.size()), ec);
  if (failed()) return 0;
  if (ec == bhttp::error::header_limit) {
    reject(Rejection::headers_too_large, "head too large", ec);
    return 0;
  }
  if (ec == bhttp::error::body_limit) {
    reject(Rejection::body_too_large, "Content-Length above the limit", ec);
    return 0;
  }
  // need_more here means a whole head Beast cannot read to its end (a request
  // line without a version, say): malformed, not incomplete.
  if (ec || used != end) {
    reject(Rejection::bad_request, "malformed request head", ec);
    return 0;
  }
  if (!check_head_bytes(head)) return 0;
  return used;
}

// The length of the head (through its empty line) once it is in `data`, else 0.
std::size_t RequestParser::find_head_end(std::string_view data) {
  for (auto at = data.find('\n', scanned_); at != std::string_view::npos; at = data.find('\n', at + 1)) {
    scanned_ = at + 1;
    if (at == 0 || data[at - 1] != '\r') {
      beast::error_code ec;
      reject(Rejection::bad_request, "bare LF in the head", ec);
      return 0;
    }
    auto length = at - 1 - line_start_;
    bool request_line = line_start_ == 0;
    auto start = line_start_;
    line_start_ = at + 1;
    if (length == 0 && !request_line) return at + 1;
    if (request_line) {
      fields_start_ = line_start_;
      if (!check_request_line(data.substr(0, length))) return 0;
    }
    if (!check_line(start, length, true)) return 0;
  }
  scanned_ = data.size();
  // A CR that ends the data is the start of its line's CRLF, not part of the line.
  auto partial = data.size() - line_start_;
  if (partial > 0 && data.back() == '\r') --partial;
  if (line_start_ == 0 && !data.empty() && !is_token_char(data.front())) {
    beast::error_code ec;
    reject(Rejection::bad_request, "not an HTTP request", ec);  // a TLS handshake, say
    return 0;
  }
  check_line(line_start_, partial, false);
  return 0;
}

// One line of the head without its CRLF, or the start of one still arriving;
// false once refused. The header block's size counts each field line's CRLF.
bool RequestParser::check_line(std::size_t start, std::size_t length, bool complete) {
  beast::error_code ec;
  if (start == 0) {
    if (length > limits_.max_request_line) reject(Rejection::uri_too_long, "request line too long", ec);
  } else if (length > limits_.max_field_bytes) {
    reject(Rejection::headers_too_large, "header field too large", ec);
  } else if (start + length + (complete ? 2 : 0) - fields_start_ > limits_.max_header_bytes) {
    reject(Rejection::headers_too_large, "header block too large", ec);
  }
  return !failed();
}

// method SP target SP HTTP/d.d, checked as soon as the line is in, so a line no
// parser would take is refused then rather than when the header deadline fires.
bool RequestParser::check_request_line(std::string_view line) {
  auto method_end = line.find(' ');
  auto target_end = method_end == std::string_view::npos ? method_end : line.find(' ', method_end + 1);
  bool shaped = method_end != std::string_view::npos && method_end > 0 && target_end != std::string_view::npos &&
                target_end > method_end + 1;
  if (shaped) {
    auto version = line.substr(target_end + 1);
    shaped = version.size() == 8 && version.starts_with("HTTP/") && std::isdigit(static_cast<unsigned char>(version[5])) &&
             version[6] == '.' && std::isdigit(static_cast<unsigned char>(version[7]));
    for (char c : line.substr(0, method_end)) shaped = shaped && is_token_char(c);
  }
  if (!shaped) {
    beast::error_code ec;
    reject(Rejection::bad_request, "malformed request line", ec);
  }
  return shaped;
}

// Checks Beast cannot make from callbacks: obs-fold (Beast unfolds it silently).
bool RequestParser::check_head_bytes(std::string_view head) {
  beast::error_code ec;
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
  input_ = data;
  auto used = put(boost::asio::buffer(data.data(), data.size()), ec);
  if (failed()) return used;
  if (ec == bhttp::error::need_more) {
    if (head_.chunked && chunk_left_ == 0) check_stalled_chunk_header(data.substr(used));
    return used;
  }
  if (ec == bhttp::error::body_limit) reject(Rejection::body_too_large, "body above the limit", ec);
  else if (ec) reject(Rejection::bad_request, "malformed body framing", ec);
  return used;
}

// Beast looks for a chunk line's end by its CR alone, so a chunk header or
// trailer ended by a bare LF would wait for the body deadline. What Beast left
// unparsed at a chunk boundary is only chunk framing, where every LF must follow
// a CR, and which has a size limit.
bool RequestParser::check_stalled_chunk_header(std::string_view rest) {
  beast::error_code ec;
  for (auto at = rest.find('\n'); at != std::string_view::npos; at = rest.find('\n', at + 1)) {
    if (at == 0 || rest[at - 1] != '\r') {
      reject(Rejection::bad_request, "bare LF in chunked framing", ec);
      return false;
    }
  }
  auto size_line_end = rest.find("\r\n", rest.starts_with("\r\n") ? 2 : 0);
  bool in_trailers = size_line_end != std::string_view::npos;  // only the last chunk's line is left whole
  if (rest.size() > (in_trailers ? limits_.max_header_bytes : kMaxChunkLineBytes)) {
    reject(Rejection::bad_request, in_trailers ? "trailers too large" : "chunk header too long", ec);
    return false;
  }
  return true;
}

void RequestParser::on_chunk_header_impl(std::uint64_t size, boost::beast::string_view extensions,
                                         beast::error_code& ec) {
  // Beast reads any number of leading zeros; more than 16 digits is no size a
  // sender means, and other parsers may read it differently.
  std::size_t digits = 0;
  for (auto p = extensions.data(); p > input_.data() && std::isxdigit(static_cast<unsigned char>(p[-1])); --p)
    ++digits;
  if (digits > kMaxChunkSizeDigits) return reject(Rejection::bad_request, "chunk size with too many digits", ec);
  chunk_left_ = size;
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, boost::beast::string_view body, beast::error_code&) {
  chunk_left_ -= body.size();
  return record(body);
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

// Bytes outside US-ASCII must arrive percent-encoded (RFC 3986 §2.1): an origin
// could read raw ones as Latin-1 or UTF-8 and disagree with Baton's routing. A
// fragment is the client's own business (RFC 9110 §7.1): it is cut off, as
// nginx does, so neither routing nor the origin ever sees it.
void RequestParser::finish_target(beast::error_code& ec) {
  for (char c : head_.target)
    if (static_cast<unsigned char>(c) >= 0x7f || static_cast<unsigned char>(c) <= 0x20)
      return reject(Rejection::bad_request, "request target with a raw byte outside US-ASCII", ec);
  if (auto hash = head_.target.find('#'); hash != std::string_view::npos) head_.target = head_.target.substr(0, hash);
  if (head_.target.empty()) return reject(Rejection::bad_request, "empty request target", ec);
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
