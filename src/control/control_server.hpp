#pragma once
// The control API's transport: HTTP/1.1 on a unix socket (mode 0600) in the
// daemon's home. Requests are answered on the control plane's thread by a
// coroutine the composition root provides; a long operation (a deploy) answers
// with a stream of JSON lines while it runs, and other requests are served
// meanwhile.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <expected>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "net/asio.hpp"

namespace baton::control {
using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// How a handler answers one request: send() one whole response, or
// begin_stream() and then write() as often as needed. A stream's end is the
// end of the connection (no length to know in advance, no chunking to parse).
class Reply {
 public:
  explicit Reply(unix_socket::socket& socket, const Request& request) : socket_(socket), request_(request) {}
  awaitable<void> send(Response response);
  awaitable<bool> begin_stream(unsigned status, std::string_view content_type);
  // False once the client has gone: the operation goes on, its output is dropped.
  awaitable<bool> write(std::string_view data);
  bool sent() const { return sent_; }
  bool streaming() const { return streaming_; }

 private:
  unix_socket::socket& socket_;
  const Request& request_;
  bool sent_ = false;
  bool streaming_ = false;
  bool client_gone_ = false;
};

using Handler = std::function<awaitable<void>(const Request&, Reply&)>;

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
