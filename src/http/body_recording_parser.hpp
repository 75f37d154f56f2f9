#pragma once
// The body half shared by the request and response parsers: decoded body
// bytes are recorded as views into the caller's buffer, never copied.
#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <string_view>
#include <vector>

namespace baton::http {
// Body bytes decoded from one put(): views into the read buffer.
struct BodyPieces {
  std::vector<std::string_view> pieces;
  std::uint64_t bytes = 0;
  void clear() {
    pieces.clear();
    bytes = 0;
  }
};

template <bool isRequest>
class BodyRecordingParser : public boost::beast::http::basic_parser<isRequest> {
 protected:
  explicit BodyRecordingParser(BodyPieces& body) : body_(body) {}

  std::size_t record(boost::beast::string_view body) {
    body_.pieces.emplace_back(body.data(), body.size());
    body_.bytes += body.size();
    return body.size();
  }

 private:
  void on_body_init_impl(boost::optional<std::uint64_t> const&, boost::beast::error_code&) override {}
  std::size_t on_body_impl(boost::beast::string_view body, boost::beast::error_code&) override {
    return record(body);
  }
  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, boost::beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body, boost::beast::error_code&) override {
    return record(body);
  }
  void on_finish_impl(boost::beast::error_code&) override {}

  BodyPieces& body_;
};
}  // namespace baton::http
