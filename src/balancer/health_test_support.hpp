#pragma once
// For the health tests only: a loopback server whose answer a test can change, and a way to run an
// io_context until something has happened (under a generous guard: tests assert outcomes, not
// durations).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>

#include "net/asio.hpp"

namespace baton::health::testing {
inline constexpr std::chrono::seconds kGuard{20};

template <typename Predicate>
bool run_until(asio::io_context& io, Predicate done) {
  auto deadline = std::chrono::steady_clock::now() + kGuard;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ADD_FAILURE() << "gave up waiting after " << kGuard.count() << " s";
      return false;
    }
    if (io.stopped()) io.restart();
    io.run_one_for(std::chrono::milliseconds(100));
  }
  return true;
}

// A port nothing listens on: bound, then closed.
inline std::uint16_t closed_port(asio::io_context& io) {
  tcp::acceptor acceptor(io, {asio::ip::address_v4::loopback(), 0});
  return acceptor.local_endpoint().port();
}

// Answers each connection after reading its request head.
class TestServer {
 public:
  enum class Reply { ok, unavailable, garbage, silent, close };

  explicit TestServer(asio::io_context& io) : acceptor_(io, {asio::ip::address_v4::loopback(), 0}) {
    asio::co_spawn(io, accept_loop(), asio::detached);
  }
  ~TestServer() { acceptor_.close(); }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void set_reply(Reply reply) { reply_ = reply; }
  unsigned requests() const { return requests_; }
  const std::string& last_request() const { return last_request_; }

 private:
  awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(use_nothrow);
      if (ec) co_return;
      asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket), this), asio::detached);
    }
  }

  static std::string response_for(Reply reply) {
    switch (reply) {
      case Reply::ok: return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
      case Reply::unavailable: return "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";
      case Reply::garbage: return "this is not http\r\n\r\n";
      default: return "";
    }
  }

  static awaitable<void> serve(tcp::socket socket, TestServer* server) {
    std::string request;
    auto [ec, size] = co_await asio::async_read_until(socket, asio::dynamic_buffer(request),
                                                      "\r\n\r\n", use_nothrow);
    if (ec) co_return;
    server->last_request_ = request.substr(0, size);
    ++server->requests_;
    Reply reply = server->reply_;
    if (reply == Reply::silent) {
      // Hold the connection open until the client gives up.
      char byte;
      [[maybe_unused]] auto [read_ec, read] = co_await socket.async_read_some(asio::buffer(&byte, 1), use_nothrow);
      co_return;
    }
    std::string response = response_for(reply);
    [[maybe_unused]] auto [write_ec, written] =
        co_await asio::async_write(socket, asio::buffer(response), use_nothrow);
  }

  tcp::acceptor acceptor_;
  Reply reply_ = Reply::ok;
  unsigned requests_ = 0;
  std::string last_request_;
};
}  // namespace baton::health::testing
