#pragma once
// The control API's transport: HTTP/1.1 on a unix socket (mode 0600) in the
// daemon's home. Requests are answered on the control plane's thread, one at a
// time, by a handler the composition root provides.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <expected>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "net/asio.hpp"

namespace baton::control {
using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Handler = std::function<Response(const Request&)>;

class ControlServer {
 public:
  static std::expected<std::unique_ptr<ControlServer>, std::string> start(asio::any_io_executor executor,
                                                                         const std::filesystem::path& socket_path,
                                                                         Handler handler);
  ~ControlServer();
  void close();

 private:
  ControlServer(asio::any_io_executor executor, Handler handler);
  awaitable<void> accept_loop();
  awaitable<void> serve(unix_socket::socket socket);

  unix_socket::acceptor acceptor_;
  Handler handler_;
  std::filesystem::path path_;
};

// A JSON response with the given status.
Response json_response(const Request& request, unsigned status, std::string body);
}  // namespace baton::control
