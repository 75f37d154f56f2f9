#pragma once
// The control API's transports: HTTP/1.1 on a unix socket (mode 0600, and each peer's uid
// checked) in the daemon's home, and optionally on a TCP admin listener where every request
// carries a bearer token. Both run the same handlers. Requests are answered on the control
// plane's thread by coroutines the composition root provides; a long operation (a deploy)
// answers with a stream of JSON lines while it runs, and other requests are served meanwhile.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <map>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "control/access.hpp"
#include "control/connection_deadline.hpp"
#include "net/asio.hpp"

namespace baton::control {
using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
// Unix and TCP connections alike.
using StreamSocket = asio::generic::stream_protocol::socket;

// How a handler answers one request: send() one whole response, or
// begin_stream() and then write() as often as needed. A stream's end is the
// end of the connection (no length to know in advance, no chunking to parse).
class Reply {
 public:
  // `deadline` bounds each write: a client that stops reading is cut.
  Reply(StreamSocket& socket, const Request& request, ConnectionDeadline& deadline)
      : socket_(socket), request_(request), deadline_(deadline) {}
  awaitable<void> send(Response response);
  awaitable<bool> begin_stream(unsigned status, std::string_view content_type);
  // False once the client has gone: the operation goes on, its output is dropped.
  awaitable<bool> write(std::string_view data);
  bool sent() const { return sent_; }
  bool streaming() const { return streaming_; }
  unsigned status() const { return status_; }

 private:
  StreamSocket& socket_;
  const Request& request_;
  ConnectionDeadline& deadline_;
  bool sent_ = false;
  bool streaming_ = false;
  bool client_gone_ = false;
  unsigned status_ = 0;
};

// A request body read as it arrives (an upload of any size in bounded memory). A client that
// sent `Expect: 100-continue` is told to go on at the first read: a handler that refuses the
// request before reading has not made it send the body for nothing.
class BodyReader {
 public:
  using Parser = boost::beast::http::request_parser<boost::beast::http::buffer_body>;
  // `deadline` bounds the wait for each part of the body.
  BodyReader(StreamSocket& socket, beast::flat_buffer& buffer, Parser& parser, bool expects_continue,
             ConnectionDeadline& deadline)
      : socket_(socket), buffer_(buffer), parser_(parser), continue_pending_(expects_continue), deadline_(deadline) {}
  // Part of the body into `out`; 0 at its end. An error: the client went away or broke the framing.
  awaitable<std::expected<std::size_t, std::string>> read(std::span<char> out);
  bool done() const { return parser_.is_done(); }

 private:
  StreamSocket& socket_;
  beast::flat_buffer& buffer_;
  Parser& parser_;
  bool continue_pending_;
  ConnectionDeadline& deadline_;
};

using Handler = std::function<awaitable<void>(const Request&, Reply&)>;
using UploadHandler = std::function<awaitable<void>(const Request& head, BodyReader& body, Reply&)>;

struct Handlers {
  Handler handle;
  // Requests this picks (by their head) go to `upload` with their body unread; the rest are
  // read whole (up to a limit) and go to `handle`.
  std::function<bool(const Request& head)> streams_body;
  UploadHandler upload;
};

// Bounds for one control listener (the unix socket and the admin listener each have their own);
// the defaults are [control]'s (config::ControlConfig).
struct ControlLimits {
  // How long a client may take to send a request head, pause inside a body, or leave an
  // answer unread; also how long an idle keep-alive connection stays open.
  std::chrono::milliseconds request_timeout;
  // Open connections at most; one more is closed at once, so a flood cannot queue in the backlog.
  unsigned max_connections;
  // The admin listener speaks plain HTTP: its token would cross the network in clear. Unless the
  // operator says otherwise ([control] allow_plaintext_remote), only loopback peers are served
  // (an SSH tunnel or a TLS proxy on the machine reaches it that way).
  bool plaintext_remote = false;
};

class ControlServer {
 public:
  static std::expected<std::unique_ptr<ControlServer>, std::string> start_unix(
      asio::any_io_executor executor, const std::filesystem::path& socket_path, Handlers handlers,
      ControlLimits limits);
  // Every request must carry `Authorization: Bearer <token>` that `authenticate` knows, with a
  // scope that covers it; others get 401 or 403 and nothing is done. A peer that keeps failing is
  // told to wait (429) before its tokens are looked at again.
  using Authenticator = std::function<std::optional<Principal>(std::string_view token)>;
  static std::expected<std::unique_ptr<ControlServer>, std::string> start_tcp(
      asio::any_io_executor executor, const tcp::endpoint& endpoint, Authenticator authenticate, Handlers handlers,
      ControlLimits limits);
  ~ControlServer();
  void close();
  // "127.0.0.1:9443" (the port picked when 0 was asked for), or the socket's path.
  const std::string& address() const { return address_; }

 private:
  using Acceptor = asio::basic_socket_acceptor<asio::generic::stream_protocol>;
  ControlServer(Acceptor acceptor, Handlers handlers, ControlLimits limits)
      : acceptor_(std::move(acceptor)), handlers_(std::move(handlers)), limits_(limits) {}
  awaitable<void> accept_loop();
  bool admit(StreamSocket& socket) const;
  awaitable<void> serve(StreamSocket socket);
  awaitable<void> serve_requests(StreamSocket& socket);
  awaitable<bool> serve_whole(StreamSocket& socket, beast::flat_buffer& buffer,
                              boost::beast::http::request_parser<boost::beast::http::empty_body>& head,
                              ConnectionDeadline& deadline);
  awaitable<bool> serve_stream(StreamSocket& socket, beast::flat_buffer& buffer,
                               boost::beast::http::request_parser<boost::beast::http::empty_body>& head,
                               ConnectionDeadline& deadline);
  void log_request(const Request& request, unsigned status) const;

  Acceptor acceptor_;
  Handlers handlers_;
  ControlLimits limits_;
  unsigned connections_ = 0;  // open ones; only the control thread touches it
  Authenticator authenticate_;  // the TCP listener's
  bool admin() const { return static_cast<bool>(authenticate_); }
  // Failed authentications per peer address, for the 429.
  struct Failures {
    unsigned count = 0;
    std::chrono::steady_clock::time_point window_start;
    std::chrono::steady_clock::time_point blocked_until;
  };
  std::map<std::string, Failures, std::less<>> failures_;
  bool throttled(const std::string& peer) const;
  void note_failure(const std::string& peer);
  std::filesystem::path path_;        // the unix socket's, removed at close
  std::string address_;
};

// A JSON response with the given status.
Response json_response(const Request& request, unsigned status, std::string body);
}  // namespace baton::control
