#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <fmt/format.h>

#include "control/control_server.hpp"

namespace baton::control {
namespace http = boost::beast::http;

awaitable<void> Reply::send(Response response) {
  sent_ = true;
  status_ = response.result_int();
  response.keep_alive(request_.keep_alive());
  response.prepare_payload();
  deadline_.arm();
  auto [ec, written] = co_await http::async_write(socket_, response, use_nothrow);
  deadline_.disarm();
  if (ec) client_gone_ = true;
}

awaitable<bool> Reply::begin_stream(unsigned status, std::string_view content_type) {
  sent_ = true;
  streaming_ = true;
  status_ = status;
  auto head = fmt::format("HTTP/1.1 {} {}\r\nContent-Type: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
                          status, http::obsolete_reason(static_cast<http::status>(status)), content_type);
  auto ok = co_await write(head);
  co_return ok;
}

awaitable<bool> Reply::write(std::string_view data) {
  if (client_gone_) co_return false;
  deadline_.arm();
  auto [ec, written] = co_await asio::async_write(socket_, asio::buffer(data), use_nothrow);
  deadline_.disarm();
  if (ec) client_gone_ = true;
  co_return !client_gone_;
}

awaitable<std::expected<std::size_t, std::string>> BodyReader::read(std::span<char> out) {
  if (parser_.is_done()) co_return 0;
  if (continue_pending_) {
    continue_pending_ = false;
    constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    deadline_.arm();
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(kContinue), use_nothrow);
    if (ec) co_return std::unexpected("the client went away: " + ec.message());
  }
  for (;;) {
    parser_.get().body().data = out.data();
    parser_.get().body().size = out.size();
    deadline_.arm();
    auto [ec, n] = co_await http::async_read_some(socket_, buffer_, parser_, use_nothrow);
    deadline_.disarm();
    if (ec == http::error::need_buffer) ec = {};
    if (ec) co_return std::unexpected("the upload broke off: " + ec.message());
    auto got = out.size() - parser_.get().body().size;
    if (got > 0 || parser_.is_done()) co_return got;
  }
}

Response json_response(const Request& request, unsigned status, std::string body) {
  Response response(static_cast<http::status>(status), request.version());
  response.set(http::field::content_type, "application/json");
  response.body() = std::move(body);
  return response;
}
}  // namespace baton::control
