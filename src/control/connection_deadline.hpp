#pragma once
// One control connection's deadline: while armed, the client must make progress (send
// the next part of its request, or read the next part of the answer) before it passes,
// or the connection is closed. Disarmed while a handler works, so a deploy that streams
// its progress for minutes is never cut. Keeps a slow or silent client on the admin
// listener from holding a connection, and its slot, forever.
#include <chrono>
#include <memory>

#include "net/asio.hpp"

namespace baton::control {
class ConnectionDeadline {
 public:
  ConnectionDeadline(asio::generic::stream_protocol::socket& socket, std::chrono::milliseconds limit)
      : socket_(socket), timer_(socket.get_executor()), limit_(limit) {}
  ~ConnectionDeadline() { *alive_ = false; }
  ConnectionDeadline(const ConnectionDeadline&) = delete;
  ConnectionDeadline& operator=(const ConnectionDeadline&) = delete;

  // Starts a new wait of the whole limit.
  void arm() {
    timer_.expires_after(limit_);
    // A timer that fired just before the connection ended may run after this object is
    // gone: `alive` says whether `this` still exists.
    timer_.async_wait([this, alive = alive_](error_code ec) {
      if (ec || !*alive) return;
      expired_ = true;
      error_code ignored;
      socket_.close(ignored);
    });
  }
  void disarm() { timer_.cancel(); }
  bool expired() const { return expired_; }

 private:
  asio::generic::stream_protocol::socket& socket_;
  asio::steady_timer timer_;
  std::chrono::milliseconds limit_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool expired_ = false;
};
}  // namespace baton::control
