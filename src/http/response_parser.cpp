#include "http/response_parser.hpp"

#include <boost/beast/http/error.hpp>

namespace baton::http {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

void ResponseHead::clear() {
  status = 0;
  reason = {};
  version = 11;
  fields.clear();
  connection_tokens.clear();
  content_length.reset();
  chunked = keep_alive = until_eof = no_body = false;
  keep_alive = true;
}

ResponseParser::ResponseParser(ResponseHead& head, BodyPieces& body, bool head_request)
    : BodyRecordingParser<false>(body), head_(head) {
  head_.clear();
  header_limit(kMaxHeadBytes);
  body_limit(boost::none);
  skip(head_request);
}

std::size_t ResponseParser::parse_head(std::string_view data) {
  beast::error_code ec;
  eager(false);
  auto used = put(boost::asio::buffer(data.data(), data.size()), ec);
  if (ec == bhttp::error::need_more) return 0;
  if (ec) {
    malformed_ = true;
    return 0;
  }
  for (auto at = data.find('\n'); at != std::string_view::npos && at + 1 < used; at = data.find('\n', at + 1)) {
    if (data[at + 1] == ' ' || data[at + 1] == '\t') {
      malformed_ = true;  // obs-fold
      return 0;
    }
  }
  return used;
}

std::size_t ResponseParser::parse_body(std::string_view data) {
  beast::error_code ec;
  eager(true);
  auto used = put(boost::asio::buffer(data.data(), data.size()), ec);
  if (ec && ec != bhttp::error::need_more) malformed_ = true;
  return used;
}

void ResponseParser::finish_at_eof() {
  beast::error_code ec;
  put_eof(ec);
  if (ec) malformed_ = true;
}

void ResponseParser::on_response_impl(int code, boost::beast::string_view reason, int version, beast::error_code& ec) {
  head_.status = static_cast<unsigned>(code);
  head_.reason = reason;
  head_.version = static_cast<unsigned>(version);
  if ((version != 10 && version != 11) || code < 100 || code > 999) ec = bhttp::error::bad_version;
}

void ResponseParser::on_field_impl(bhttp::field f, boost::beast::string_view name, boost::beast::string_view value,
                                   beast::error_code& ec) {
  if (in_trailer_) return;  // response trailers are not forwarded
  if (head_.fields.size() >= kMaxFields) {
    ec = bhttp::error::header_limit;
    return;
  }
  head_.fields.push_back({f, name, value});
  if (f == Field::content_length && ++content_length_count_ > 1) ec = bhttp::error::multiple_content_length;
  // A coding other than a lone chunked would reach the client undecodable.
  if (f == Field::transfer_encoding && (++transfer_encoding_count_ > 1 || !iequals(value, "chunked")))
    ec = bhttp::error::bad_transfer_encoding;
  if (f == Field::connection) {
    bool overflow = false;
    for_each_token(value, [&](std::string_view t) { overflow |= !head_.connection_tokens.push_back(t); });
    if (overflow) ec = bhttp::error::bad_value;
  }
}

void ResponseParser::on_header_impl(beast::error_code&) {
  in_trailer_ = true;
  head_.keep_alive = keep_alive();
  head_.chunked = chunked();
  if (auto length = content_length()) head_.content_length = *length;
  head_.no_body = is_done();  // complete after the head: HEAD, 1xx, 204, 304 or a zero length
  head_.until_eof = need_eof() && !head_.no_body && !head_.chunked && !head_.content_length;
  if (head_.status / 100 == 1 || head_.status == 204 || head_.status == 304) head_.content_length.reset();
}


}  // namespace baton::http
