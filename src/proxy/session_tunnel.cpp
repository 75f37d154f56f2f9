// After a 101 Switching Protocols the session is a byte tunnel (WebSocket):
// each direction copies until its source ends, then half-closes the other side.
#include <boost/asio/experimental/awaitable_operators.hpp>

#include "net/stream_receive.hpp"
#include "proxy/session.hpp"
#include "proxy/worker.hpp"

namespace baton::proxy {
namespace {
constexpr std::size_t kTunnelReadSize = 16 * 1024;
}  // namespace

awaitable<void> Session::tunnel(std::unique_ptr<UpstreamConnection> up) {
  using namespace asio::experimental::awaitable_operators;
  upstream_socket_ = &up->socket;
  co_await (relay_direction(client_, client_in_, up->socket) && relay_direction(up->socket, up->buffer, client_));
  upstream_socket_ = nullptr;
  client_in_.consume(client_in_.size());
}

awaitable<void> Session::relay_direction(Socket& from, beast::flat_buffer& buffer, Socket& to) {
  error_code ignored;
  bool first_read = true;
  for (;;) {
    if (buffer.size() > 0) {
      arm(Phase::tunnel, service_->timeouts.websocket_idle);
      auto [ec, n] = co_await asio::async_write(to, buffer.data(), use_nothrow);
      if (ec) break;
      buffer.consume(n);
    }
    arm(Phase::tunnel, service_->timeouts.websocket_idle);
    // As in the body pump: the first read tries at once, so a reset that came
    // with the 101 is seen now, not after the tunnel's idle timeout.
    auto [ec, n] = co_await net::read_some_trying_now(from, buffer.prepare(kTunnelReadSize), first_read);
    if (ec == asio::error::eof) {
      // A clean end is passed on as a half-close; the other direction goes on.
      to.shutdown(Socket::shutdown_send, ignored);
      co_return;
    }
    if (ec) break;
    buffer.commit(n);
  }
  // Anything else ends both directions at once: shutting both sockets down
  // completes the other direction's pending read or write.
  from.shutdown(Socket::shutdown_both, ignored);
  to.shutdown(Socket::shutdown_both, ignored);
}
}  // namespace baton::proxy
