#include "cli/api_client.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>

#include "cli/api_stream.hpp"
#include "cli/daemon_starter.hpp"
#include "cli/remote_api.hpp"
#include "net/asio.hpp"

namespace baton::cli {
namespace http = boost::beast::http;

namespace {
std::expected<void, ApiError> connect_and_send(unix_socket::socket& socket, const std::string& home,
                                               const std::string& method, const std::string& path,
                                               const std::string& body) {
  auto socket_path = (std::filesystem::path(home) / "baton.sock").string();
  error_code ec;
  socket.connect(unix_socket::endpoint(socket_path), ec);
  bool nobody = ec == asio::error::not_found || ec == asio::error::connection_refused ||
                ec == boost::system::errc::no_such_file_or_directory;
  if (ec && nobody && daemon_start_allowed()) {
    allow_daemon_start(false);  // once per command
    auto started = start_background_daemon(home);
    if (!started) return std::unexpected(ApiError{true, started.error()});
    socket.close(ec);
    socket.connect(unix_socket::endpoint(socket_path), ec);
  }
  if (ec)
    return std::unexpected(ApiError{true, "no daemon answers at " + socket_path + " (" + ec.message() +
                                              "): start one with 'baton daemon [--config FILE]'"});
  http::request<http::string_body> request(http::string_to_verb(method), path, 11);
  request.set(http::field::host, "baton");
  request.set(http::field::content_type, "application/json");
  request.body() = body;
  request.prepare_payload();
  http::write(socket, request, ec);
  if (ec) return std::unexpected(ApiError{false, "the daemon did not take the request: " + ec.message()});
  return {};
}
}  // namespace

std::expected<ApiReply, ApiError> call_api(const std::string& home, const std::string& method, const std::string& path,
                                           const std::string& body) {
  if (const auto* remote = remote_in_use()) return call_remote(*remote, method, path, body);
  asio::io_context context;
  unix_socket::socket socket(context);
  if (auto sent = connect_and_send(socket, home, method, path, body); !sent) return std::unexpected(sent.error());
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  error_code ec;
  http::read(socket, buffer, response, ec);
  if (ec) return std::unexpected(ApiError{false, "the daemon did not answer: " + ec.message()});
  return ApiReply{static_cast<unsigned>(response.result_int()), std::move(response.body())};
}

std::expected<ApiReply, ApiError> stream_api(const std::string& home, const std::string& method,
                                             const std::string& path, const std::string& body,
                                             const std::function<void(std::string_view line)>& on_line) {
  if (const auto* remote = remote_in_use()) return stream_remote(*remote, method, path, body, on_line);
  asio::io_context context;
  unix_socket::socket socket(context);
  if (auto sent = connect_and_send(socket, home, method, path, body); !sent) return std::unexpected(sent.error());
  beast::flat_buffer buffer;
  return read_streamed_reply(socket, buffer, on_line);
}
}  // namespace baton::cli
