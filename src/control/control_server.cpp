#include "control/control_server.hpp"

#include "net/keeper_link.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <fmt/format.h>

#include "base/log.hpp"
#include "control/bearer_token.hpp"
#include "control/peer_check.hpp"

namespace baton::control {
namespace http = boost::beast::http;
namespace {
constexpr std::size_t kMaxRequestBytes = 64 * 1024 * 1024;  // a whole body; uploads stream instead
constexpr std::uint32_t kMaxHeadBytes = 64 * 1024;
constexpr std::size_t kMaxLingerBytes = 4 * 1024 * 1024;  // read and dropped after a refusal
constexpr int kBacklog = 64;
using HeadParser = http::request_parser<http::empty_body>;

std::string endpoint_text(const asio::generic::stream_protocol::endpoint& endpoint) {
  char host[NI_MAXHOST] = "?";
  ::getnameinfo(endpoint.data(), static_cast<socklen_t>(endpoint.size()), host, sizeof host, nullptr, 0, NI_NUMERICHOST);
  return host;
}

bool is_loopback(const asio::generic::stream_protocol::endpoint& endpoint) {
  const auto* address = endpoint.data();
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
  }
  if (address->sa_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

// Answers and ends the connection: the body, if any, was never read.
awaitable<void> refuse(StreamSocket& socket, unsigned version, unsigned status, std::string_view error) {
  Response response(static_cast<http::status>(status), version);
  response.set(http::field::content_type, "application/json");
  if (status == 401) response.set(http::field::www_authenticate, "Bearer");
  response.body() = fmt::format(R"({{"error":"{}"}})", error);
  response.keep_alive(false);
  response.prepare_payload();
  auto [ec, n] = co_await http::async_write(socket, response, use_nothrow);
  if (ec) co_return;
  // Closing with the client's body unread would reset the connection and could
  // destroy the answer before it is read: what follows is read and dropped, up
  // to a bound (the connection's deadline still runs).
  error_code ignored;
  socket.shutdown(StreamSocket::shutdown_send, ignored);
  char sink[16 * 1024];
  for (std::size_t drained = 0; drained < kMaxLingerBytes;) {
    auto [read_error, got] = co_await socket.async_read_some(asio::buffer(sink), use_nothrow);
    if (read_error) break;
    drained += got;
  }
}

template <typename Acceptor, typename Endpoint>
std::expected<Acceptor, error_code> listen_on(asio::any_io_executor executor, const Endpoint& endpoint, bool reuse) {
  Acceptor acceptor(executor);
  error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec && reuse) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(kBacklog, ec);
  if (ec) return std::unexpected(ec);
  return acceptor;
}
}  // namespace

ControlServer::~ControlServer() { close(); }

std::expected<std::unique_ptr<ControlServer>, std::string> ControlServer::start_unix(
    asio::any_io_executor executor, const std::filesystem::path& socket_path, Handlers handlers,
    ControlLimits limits) {
  // Owner-only from the start. Under the keeper the keeper holds it, so commands sent while no
  // daemon runs wait for the next one, and the file stays when this daemon goes; one systemd
  // passed stays too, as systemd made it and listens on it for the next start.
  auto held = acquire_listen_socket(Address{.kind = Address::Kind::unix_path, .path = socket_path.string()},
                                    kBacklog, 0600);
  if (!held) return std::unexpected(held.error());
  unix_socket::acceptor acceptor(executor);
  error_code ec;
  acceptor.assign(unix_socket(), held->fd, ec);
  if (ec) {
    ::close(held->fd);
    return std::unexpected("cannot listen on " + socket_path.string() + ": " + ec.message());
  }
  std::unique_ptr<ControlServer> server(new ControlServer(Acceptor(std::move(acceptor)), std::move(handlers), limits));
  if (!held->borrowed) server->path_ = socket_path;
  server->address_ = socket_path.string();
  asio::co_spawn(executor, server->accept_loop(), log::LogIfThrown{"control_accept"});
  return server;
}

std::expected<std::unique_ptr<ControlServer>, std::string> ControlServer::start_tcp(
    asio::any_io_executor executor, const tcp::endpoint& endpoint, Authenticator authenticate, Handlers handlers,
    ControlLimits limits) {
  auto acceptor = listen_on<tcp::acceptor>(executor, endpoint, true);
  if (!acceptor)
    return std::unexpected(fmt::format("cannot listen on {}:{} (control.admin_listen): {}",
                                       endpoint.address().to_string(), endpoint.port(), acceptor.error().message()));
  error_code ignored;
  auto bound = acceptor->local_endpoint(ignored);
  std::unique_ptr<ControlServer> server(new ControlServer(Acceptor(std::move(*acceptor)), std::move(handlers), limits));
  server->authenticate_ = std::move(authenticate);
  auto host = bound.address().to_string();
  server->address_ = bound.address().is_v6() ? fmt::format("[{}]:{}", host, bound.port()) : fmt::format("{}:{}", host, bound.port());
  asio::co_spawn(executor, server->accept_loop(), log::LogIfThrown{"control_accept"});
  return server;
}

void ControlServer::close() {
  if (!acceptor_.is_open()) return;
  error_code ignored;
  acceptor_.close(ignored);
  if (path_.empty()) return;
  std::error_code fs_ignored;
  std::filesystem::remove(path_, fs_ignored);
}

awaitable<void> ControlServer::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(use_nothrow);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec || !admit(socket)) continue;
    if (connections_ >= limits_.max_connections) {
      log::warn("event=control_connection_shed listener={} open={}", address_, connections_);
      error_code ignored;
      socket.close(ignored);
      continue;
    }
    asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket)), log::LogIfThrown{"control_connection"});
  }
}

// On the unix socket, the peer's uid must be ours or root's; the TCP listener checks tokens instead.
bool ControlServer::admit(StreamSocket& socket) const {
  if (admin()) return true;
  auto uid = peer_uid(socket.native_handle());
  if (uid && peer_allowed(*uid, ::geteuid())) return true;
  log::warn("event=control_refused uid={}", uid ? std::to_string(*uid) : std::string("unknown"));
  error_code ignored;
  socket.close(ignored);
  return false;
}

awaitable<void> ControlServer::serve(StreamSocket socket) {
  ++connections_;
  co_await serve_requests(socket);
  --connections_;
}

awaitable<void> ControlServer::serve_requests(StreamSocket& socket) {
  ConnectionDeadline deadline(socket, limits_.request_timeout);
  beast::flat_buffer buffer;
  std::string remote;
  bool refused_peer = false;
  if (admin()) {
    error_code ignored;
    auto peer = socket.remote_endpoint(ignored);
    remote = endpoint_text(peer);
    refused_peer = !limits_.plaintext_remote && !is_loopback(peer);
  }
  for (;;) {
    HeadParser head;
    head.header_limit(kMaxHeadBytes);
    // Beast checks Content-Length against the body limit as the head completes,
    // and its default is 1 MiB: which bound applies is decided per request below.
    head.body_limit(boost::none);
    // Armed until the handler starts: idle keep-alive, the head and the body.
    deadline.arm();
    auto [read_error, n] = co_await http::async_read_header(socket, buffer, head, use_nothrow);
    if (read_error) {
      if (deadline.expired() && admin()) log::info("event=admin_request_timeout remote={}", remote);
      bool malformed = read_error.category() == http::make_error_code(http::error::bad_target).category() &&
                       read_error != http::error::end_of_stream && read_error != http::error::partial_message;
      if (malformed) {
        bool too_large = read_error == http::error::header_limit;
        co_await refuse(socket, 11, too_large ? 431 : 400, too_large ? "the request head is too large" : "malformed request head");
      }
      co_return;
    }
    if (refused_peer) {
      log::warn("event=control_remote_refused remote={} reason=plaintext", remote);
      co_await refuse(socket, head.get().version(), 403,
                      "this admin listener speaks plain HTTP, so it serves loopback clients only (a token sent over "
                      "the network would be readable on the way): reach it through an SSH tunnel or a TLS proxy on "
                      "its machine, or set allow_plaintext_remote = true in [control]");
      co_return;
    }
    head.get().erase(kTokenNameField);  // only the server says who asked
    if (admin()) {
      auto path = head.get().target().substr(0, head.get().target().find('?'));
      if (throttled(remote)) {
        log::warn("event=control_throttled remote={} method={} path={}", remote, head.get().method_string(), path);
        co_await refuse(socket, head.get().version(), 429,
                        "too many requests with a wrong token from this address: wait a minute");
        co_return;
      }
      auto presented = bearer_of(head.get()[http::field::authorization]);
      auto principal = presented ? authenticate_(*presented) : std::nullopt;
      if (!principal) {
        note_failure(remote);
        log::warn("event=control_unauthorized remote={} method={} path={}", remote, head.get().method_string(), path);
        co_await refuse(socket, head.get().version(), 401, "missing or wrong token: send Authorization: Bearer TOKEN");
        co_return;
      }
      auto needed = required_scope(head.get().method(), head.get().target());
      if (principal->scope < needed) {
        log::warn("event=control_forbidden remote={} token={} method={} path={}", remote, principal->name,
                  head.get().method_string(), path);
        auto why = fmt::format("the token '{}' has the scope {}; {} {} needs {}", principal->name,
                               to_string(principal->scope), std::string(head.get().method_string()), std::string(path),
                               to_string(needed));
        co_await refuse(socket, head.get().version(), 403, why);
        co_return;
      }
      head.get().set(kTokenNameField, principal->name);
    }
    bool streams = handlers_.streams_body && handlers_.streams_body(Request(head.get().base()));
    bool keep_alive = false;  // no ?: of awaitables: GCC 12 destroys such temporaries twice
    if (streams) keep_alive = co_await serve_stream(socket, buffer, head, deadline);
    else keep_alive = co_await serve_whole(socket, buffer, head, deadline);
    if (!keep_alive) co_return;
  }
}

awaitable<bool> ControlServer::serve_whole(StreamSocket& socket, beast::flat_buffer& buffer, HeadParser& head,
                                           ConnectionDeadline& deadline) {
  if (head.content_length() && *head.content_length() > kMaxRequestBytes) {
    co_await refuse(socket, head.get().version(), 413, "the body is too large");
    co_return false;
  }
  // curl asks for a go-ahead before any body over 1 MiB or chunked, and waits a
  // second without one.
  bool has_body = head.chunked() || head.content_length().value_or(0) > 0;
  if (has_body && head.get().version() >= 11 &&
      beast::iequals(head.get()[http::field::expect], "100-continue")) {
    deadline.arm();
    auto [ec, n] = co_await asio::async_write(socket, asio::buffer(std::string_view("HTTP/1.1 100 Continue\r\n\r\n")),
                                             use_nothrow);
    if (ec) co_return false;
  }
  http::request_parser<http::string_body> parser(std::move(head));
  parser.body_limit(kMaxRequestBytes);
  // Part by part, so the deadline bounds each pause rather than the whole body.
  error_code read_error;
  while (!read_error && !parser.is_done()) {
    deadline.arm();
    auto [ec, n] = co_await http::async_read_some(socket, buffer, parser, use_nothrow);
    read_error = ec;
  }
  if (read_error == http::error::body_limit) co_await refuse(socket, parser.get().version(), 413, "the body is too large");
  if (read_error) co_return false;
  deadline.disarm();
  auto request = parser.release();
  Reply reply(socket, request, deadline);
  co_await handlers_.handle(request, reply);
  if (!reply.sent()) co_await reply.send(json_response(request, 500, R"({"error":"the request was not answered"})"));
  if (admin()) log_request(request, reply.status());
  co_return !reply.streaming() && request.keep_alive();
}

awaitable<bool> ControlServer::serve_stream(StreamSocket& socket, beast::flat_buffer& buffer, HeadParser& head,
                                            ConnectionDeadline& deadline) {
  deadline.disarm();
  BodyReader::Parser parser(std::move(head));
  parser.body_limit(boost::none);  // the upload handler sets its own bounds
  Request request(parser.get().base());
  bool expects_continue = beast::iequals(request[http::field::expect], "100-continue");
  BodyReader body(socket, buffer, parser, expects_continue, deadline);
  Reply reply(socket, request, deadline);
  co_await handlers_.upload(request, body, reply);
  if (!reply.sent()) co_await reply.send(json_response(request, 500, R"({"error":"the request was not answered"})"));
  if (admin()) log_request(request, reply.status());
  co_return !reply.streaming() && request.keep_alive() && body.done();
}

// The admin listener's access log: never a header (the token), never the query.
void ControlServer::log_request(const Request& request, unsigned status) const {
  log::info("event=admin_request method={} path={} status={} token={}", request.method_string(),
            request.target().substr(0, request.target().find('?')), status, request[kTokenNameField]);
}

namespace {
constexpr unsigned kMaxFailures = 10;                  // wrong tokens from one address...
constexpr std::chrono::seconds kFailureWindow{60};     // ...within this long...
constexpr std::chrono::seconds kBlockedFor{60};        // ...and it waits this long
constexpr std::size_t kMaxTrackedPeers = 10000;
}  // namespace

bool ControlServer::throttled(const std::string& peer) const {
  auto found = failures_.find(peer);
  return found != failures_.end() && std::chrono::steady_clock::now() < found->second.blocked_until;
}

void ControlServer::note_failure(const std::string& peer) {
  auto now = std::chrono::steady_clock::now();
  if (failures_.size() >= kMaxTrackedPeers)  // forget peers whose window and block are over
    std::erase_if(failures_, [&](const auto& entry) {
      return now - entry.second.window_start > kFailureWindow && now >= entry.second.blocked_until;
    });
  auto& failures = failures_[peer];
  if (now - failures.window_start > kFailureWindow) failures = {0, now, failures.blocked_until};
  if (++failures.count >= kMaxFailures) {
    failures.blocked_until = now + kBlockedFor;
    failures.count = 0;
    failures.window_start = now;
  }
}
}  // namespace baton::control
