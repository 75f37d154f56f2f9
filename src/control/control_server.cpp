#include "control/control_server.hpp"

#include <sys/stat.h>

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <fmt/format.h>

#include "base/log.hpp"

namespace baton::control {
namespace {
constexpr std::size_t kMaxRequestBytes = 64 * 1024 * 1024;  // site uploads come later
}  // namespace

ControlServer::ControlServer(asio::any_io_executor executor, Handler handler)
    : acceptor_(executor), handler_(std::move(handler)) {}

ControlServer::~ControlServer() { close(); }

std::expected<std::unique_ptr<ControlServer>, std::string> ControlServer::start(
    asio::any_io_executor executor, const std::filesystem::path& socket_path, Handler handler) {
  std::unique_ptr<ControlServer> server(new ControlServer(executor, std::move(handler)));
  server->path_ = socket_path;
  std::error_code ignored;
  std::filesystem::remove(socket_path, ignored);
  error_code ec;
  server->acceptor_.open(unix_socket(), ec);
  // Created owner-only from the start: no window in which another user could connect.
  mode_t old_mask = ::umask(0077);
  if (!ec) server->acceptor_.bind(unix_socket::endpoint(socket_path.string()), ec);
  ::umask(old_mask);
  if (!ec) server->acceptor_.listen(64, ec);
  if (ec) return std::unexpected("cannot listen on " + socket_path.string() + ": " + ec.message());
  ::chmod(socket_path.c_str(), 0600);
  asio::co_spawn(executor, server->accept_loop(), asio::detached);
  return server;
}

void ControlServer::close() {
  if (!acceptor_.is_open()) return;
  error_code ignored;
  acceptor_.close(ignored);
  std::error_code fs_ignored;
  std::filesystem::remove(path_, fs_ignored);
}

awaitable<void> ControlServer::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(use_nothrow);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) continue;
    asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket)), asio::detached);
  }
}

awaitable<void> ControlServer::serve(unix_socket::socket socket) {
  beast::flat_buffer buffer;
  for (;;) {
    boost::beast::http::request_parser<boost::beast::http::string_body> parser;
    parser.body_limit(kMaxRequestBytes);
    auto [read_error, n] = co_await boost::beast::http::async_read(socket, buffer, parser, use_nothrow);
    if (read_error) co_return;
    auto request = parser.release();
    Reply reply(socket, request);
    co_await handler_(request, reply);
    if (!reply.sent()) {
      auto fallback = json_response(request, 500, R"({"error":"the request was not answered"})");
      co_await reply.send(std::move(fallback));
    }
    if (reply.streaming() || !request.keep_alive()) co_return;
  }
}

awaitable<void> Reply::send(Response response) {
  sent_ = true;
  response.keep_alive(request_.keep_alive());
  response.prepare_payload();
  auto [ec, written] = co_await boost::beast::http::async_write(socket_, response, use_nothrow);
  if (ec) client_gone_ = true;
}

awaitable<bool> Reply::begin_stream(unsigned status, std::string_view content_type) {
  sent_ = true;
  streaming_ = true;
  auto head = fmt::format("HTTP/1.1 {} {}\r\nContent-Type: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
                          status, boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status)),
                          content_type);
  auto ok = co_await write(head);
  co_return ok;
}

awaitable<bool> Reply::write(std::string_view data) {
  if (client_gone_) co_return false;
  auto [ec, written] = co_await asio::async_write(socket_, asio::buffer(data), use_nothrow);
  if (ec) client_gone_ = true;
  co_return !client_gone_;
}

Response json_response(const Request& request, unsigned status, std::string body) {
  Response response(static_cast<boost::beast::http::status>(status), request.version());
  response.set(boost::beast::http::field::content_type, "application/json");
  response.body() = std::move(body);
  return response;
}
}  // namespace baton::control
