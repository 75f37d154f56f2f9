#pragma once
// Upstream response framing on Beast's basic_parser. Anything ambiguous is an
// error: the upstream connection is then discarded, never reused.
#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "http/request_head.hpp"
#include "http/request_parser.hpp"

namespace baton::http {
struct ResponseHead {
  unsigned status = 0;
  std::string_view reason;
  unsigned version = 11;
  std::vector<HeaderField> fields;
  ConnectionTokens connection_tokens;
  std::optional<std::uint64_t> content_length;
  bool chunked = false;
  bool keep_alive = true;
  bool until_eof = false;  // no length and not chunked: the body ends when the upstream closes
  bool no_body = false;    // HEAD, 1xx, 204, 304
  void clear();
};

class ResponseParser : public BodyRecordingParser<false> {
 public:
  static constexpr std::uint32_t kMaxHeadBytes = 64 * 1024;
  static constexpr std::uint32_t kMaxFields = 500;

  ResponseParser(ResponseHead& head, BodyPieces& body, bool head_request);

  // Head length when complete, 0 when more bytes are needed or malformed().
  std::size_t parse_head(std::string_view data);
  std::size_t parse_body(std::string_view data);
  bool failed() const { return malformed_; }
  // The upstream closed: completes an until-EOF body, else malformed().
  void finish_at_eof();
  bool malformed() const { return malformed_; }

 private:
  void on_request_impl(boost::beast::http::verb, boost::beast::string_view, boost::beast::string_view, int,
                       boost::beast::error_code&) override {}
  void on_response_impl(int code, boost::beast::string_view reason, int version, boost::beast::error_code& ec) override;
  void on_field_impl(boost::beast::http::field f, boost::beast::string_view name, boost::beast::string_view value,
                     boost::beast::error_code& ec) override;
  void on_header_impl(boost::beast::error_code& ec) override;

  ResponseHead& head_;
  bool malformed_ = false;
  bool in_trailer_ = false;
  unsigned content_length_count_ = 0;
  unsigned transfer_encoding_count_ = 0;
};
}  // namespace baton::http
