#include "cli/api_client.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>

#include "net/asio.hpp"

namespace baton::cli {
namespace http = boost::beast::http;

std::expected<ApiReply, ApiError> call_api(const std::string& home, const std::string& method, const std::string& path,
                                           const std::string& body) {
  auto socket_path = (std::filesystem::path(home) / "baton.sock").string();
  asio::io_context context;
  unix_socket::socket socket(context);
  error_code ec;
  socket.connect(unix_socket::endpoint(socket_path), ec);
  if (ec)
    return std::unexpected(ApiError{true, "no daemon answers at " + socket_path + " (" + ec.message() +
                                              "): start one with 'baton daemon --config FILE'"});
  http::request<http::string_body> request(http::string_to_verb(method), path, 11);
  request.set(http::field::host, "baton");
  request.body() = body;
  request.prepare_payload();
  http::write(socket, request, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  if (!ec) http::read(socket, buffer, response, ec);
  if (ec) return std::unexpected(ApiError{false, "the daemon did not answer: " + ec.message()});
  return ApiReply{static_cast<unsigned>(response.result_int()), std::move(response.body())};
}
}  // namespace baton::cli
