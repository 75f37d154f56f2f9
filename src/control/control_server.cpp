#include "control/control_server.hpp"

#include <sys/stat.h>

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

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
    Response response = handler_(request);
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    auto [write_error, written] = co_await boost::beast::http::async_write(socket, response, use_nothrow);
    if (write_error || !request.keep_alive()) co_return;
  }
}

Response json_response(const Request& request, unsigned status, std::string body) {
  Response response(static_cast<boost::beast::http::status>(status), request.version());
  response.set(boost::beast::http::field::content_type, "application/json");
  response.body() = std::move(body);
  return response;
}
}  // namespace baton::control
