#pragma once
// Reading an answer whose body may be a stream of JSON lines (deploy progress, apply): shared by
// the unix socket and the admin listener's TCP connection.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <string>
#include <string_view>

#include "cli/api_client.hpp"

namespace baton::cli {
template <typename Socket>
std::expected<ApiReply, ApiError> read_streamed_reply(Socket& socket, boost::beast::flat_buffer& buffer,
                                                      const std::function<void(std::string_view line)>& on_line) {
  namespace http = boost::beast::http;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  boost::system::error_code ec;
  http::read_header(socket, buffer, parser, ec);
  if (ec) return std::unexpected(ApiError{false, "the daemon did not answer: " + ec.message()});
  ApiReply reply{static_cast<unsigned>(parser.get().result_int()), {}};
  bool streamed = parser.get()[http::field::content_type] == "application/x-ndjson";
  std::string pending;
  char chunk[4096];
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    // read_some, not read: read fills the whole chunk first, which would hold
    // the progress lines back until the deploy ends.
    http::read_some(socket, buffer, parser, ec);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) break;
    pending.append(chunk, sizeof chunk - parser.get().body().size);
    for (auto newline = pending.find('\n'); streamed && newline != std::string::npos; newline = pending.find('\n')) {
      on_line(std::string_view(pending).substr(0, newline));
      pending.erase(0, newline + 1);
    }
  }
  if (ec && ec != http::error::end_of_stream && ec != boost::asio::error::eof)
    return std::unexpected(ApiError{false, "the daemon's answer broke off: " + ec.message()});
  if (!streamed) reply.body = std::move(pending);
  return reply;
}
}  // namespace baton::cli
