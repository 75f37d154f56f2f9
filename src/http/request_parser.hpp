#pragma once
// Strict HTTP/1.1 request framing on top of Beast's basic_parser. Beast does the
// byte-level grammar; this class adds the rules a proxy needs against request
// smuggling (RFC 9112 §6, §11.2) and records views instead of copying fields.
#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "http/body_recording_parser.hpp"
#include "http/request_head.hpp"

namespace baton::http {
struct RequestLimits {
  std::uint32_t max_request_line = 8 * 1024;
  std::uint32_t max_header_bytes = 64 * 1024;
  std::uint32_t max_header_count = 10'000;
  std::uint32_t max_field_bytes = 8 * 1024;  // one field line, name and value
  std::optional<std::uint64_t> max_body;
};

class RequestParser : public BodyRecordingParser<true> {
 public:
  RequestParser(RequestHead& head, BodyPieces& body, const RequestLimits& limits);

  // Parses the head from the start of `data`, which holds every byte received so
  // far (each call passes the same bytes and maybe more). Returns the head's
  // length when complete, 0 when more bytes are needed; on a refusal,
  // rejection() says why.
  std::size_t parse_head(std::string_view data);
  // Decodes body bytes into the BodyPieces; returns bytes consumed.
  std::size_t parse_body(std::string_view data);
  bool failed() const { return rejection_ != Rejection::none; }
  bool head_started() const { return scanned_ > 0; }
  // Request bodies are never delimited by the connection's end (RFC 9112 §6.3).
  void finish_at_eof() { rejection_ = Rejection::bad_request; }
  Rejection rejection() const { return rejection_; }
  std::string_view rejection_reason() const { return reason_; }

 private:
  void on_request_impl(boost::beast::http::verb method, boost::beast::string_view method_str,
                       boost::beast::string_view target, int version, boost::beast::error_code& ec) override;
  void on_response_impl(int, boost::beast::string_view, int, boost::beast::error_code&) override {}
  void on_field_impl(boost::beast::http::field f, boost::beast::string_view name, boost::beast::string_view value,
                     boost::beast::error_code& ec) override;
  void on_header_impl(boost::beast::error_code& ec) override;

  void on_chunk_header_impl(std::uint64_t size, boost::beast::string_view extensions,
                            boost::beast::error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body, boost::beast::error_code&) override;

  void reject(Rejection why, std::string_view reason, boost::beast::error_code& ec);
  std::size_t find_head_end(std::string_view data);
  bool check_line(std::size_t start, std::size_t length, bool complete);
  bool check_request_line(std::string_view line);
  bool check_head_bytes(std::string_view head);
  bool check_stalled_chunk_header(std::string_view rest);
  void check_field(const HeaderField& field, boost::beast::error_code& ec);
  void finish_target(boost::beast::error_code& ec);

  RequestHead& head_;
  const RequestLimits& limits_;
  Rejection rejection_ = Rejection::none;
  std::string_view reason_;
  bool in_trailer_ = false;
  unsigned host_count_ = 0;
  unsigned content_length_count_ = 0;
  unsigned transfer_encoding_count_ = 0;
  std::string_view input_;  // what put() is parsing: every view in head_ points into it
  std::size_t scanned_ = 0;     // find_head_end(): bytes whose lines were checked
  std::size_t line_start_ = 0;  // find_head_end(): where the line being received starts
  std::size_t fields_start_ = 0;  // find_head_end(): where the header block starts
  std::uint64_t chunk_left_ = 0;  // data bytes of the current chunk not yet decoded
  bool upgrade_websocket_ = false;
  bool has_websocket_key_ = false;
  bool websocket_version_13_ = false;
};
}  // namespace baton::http
