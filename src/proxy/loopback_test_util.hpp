#pragma once
// Blocking loopback helpers for in-process data-plane tests (test code only):
// a tiny upstream that answers with its name, and a raw client. Every wait is
// bounded, so a broken proxy fails a test instead of hanging it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "http/websocket_accept.hpp"

namespace baton::proxy::testing {
constexpr int kPatienceMs = 10'000;

inline int connect_loopback(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A socket listening on an ephemeral loopback port; sets `port`.
inline int listen_loopback(std::uint16_t& port, int backlog) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t length = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &length);
  port = ntohs(a.sin_port);
  ::listen(fd, backlog);
  return fd;
}

inline bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    auto n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Reads until `done(buffer)` or the peer closes; false on close or timeout.
template <typename Done>
bool read_until(int fd, std::string& buffer, Done&& done, int timeout_ms = kPatienceMs) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done(buffer)) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char chunk[4096];
    auto n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  return true;
}

inline bool has_head(const std::string& b) { return b.find("\r\n\r\n") != std::string::npos; }

// A whole response with a Content-Length body (what FakeUpstream and Baton's errors send).
inline std::string read_response(int fd) {
  std::string buffer;
  auto complete = [](const std::string& b) {
    auto end = b.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    auto at = b.find("Content-Length: ");
    std::size_t length = at < end ? std::stoul(b.substr(at + 16)) : 0;
    return b.size() >= end + 4 + length;
  };
  return read_until(fd, buffer, complete) ? buffer : std::string();
}

inline std::string body_of(const std::string& response) {
  auto end = response.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : response.substr(end + 4);
}

// True once the peer closed (or reset) the connection.
inline bool closed_by_peer(int fd) {
  std::string sink;
  auto never = [](const std::string&) { return false; };
  auto started = std::chrono::steady_clock::now();
  read_until(fd, sink, never);
  return std::chrono::steady_clock::now() - started < std::chrono::milliseconds(kPatienceMs);
}

template <typename Condition>
bool eventually(Condition&& condition) {
  for (int waited = 0; waited < kPatienceMs; waited += 5) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

// Answers every request with its name (keep-alive); /stream sends a head and a
// first chunk and never ends; /ws accepts a WebSocket and echoes nothing.
class FakeUpstream {
 public:
  explicit FakeUpstream(std::string name) : name_(std::move(name)) {
    listen_fd_ = listen_loopback(port_, 64);
    accept_thread_ = std::thread([this] { accept_loop(); });
  }
  ~FakeUpstream() {
    stop_ = true;
    accept_thread_.join();
    for (auto& t : threads_) t.join();
    ::close(listen_fd_);
  }
  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int open_connections() const { return open_.load(); }

 private:
  bool wait_readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    while (!stop_)
      if (::poll(&p, 1, 20) > 0) return true;
    return false;
  }
  void accept_loop() {
    while (wait_readable(listen_fd_)) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      open_++;
      threads_.emplace_back([this, fd] { serve(fd); });
    }
  }
  // After a /stream or /ws answer the connection is only read (and dropped) until it closes.
  void serve(int fd) {
    std::string in;
    bool http = true;
    while (wait_readable(fd)) {
      char chunk[4096];
      auto n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      if (!http) continue;
      in.append(chunk, static_cast<std::size_t>(n));
      for (auto end = in.find("\r\n\r\n"); http && end != std::string::npos; end = in.find("\r\n\r\n")) {
        auto head = in.substr(0, end);
        in.erase(0, end + 4);
        http = answer(fd, head);
      }
    }
    ::close(fd);
    open_--;
  }
  // False once the connection is no longer an HTTP one.
  bool answer(int fd, const std::string& head) {
    if (head.starts_with("GET /stream ")) {
      send_all(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n");
      return false;
    }
    if (head.starts_with("GET /ws ")) {
      auto at = head.find("Sec-WebSocket-Key: ") + 19;
      auto key = head.substr(at, head.find("\r\n", at) - at);
      send_all(fd, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Accept: " + http::websocket_accept(key) + "\r\n\r\n");
      return false;
    }
    send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(name_.size()) + "\r\n\r\n" + name_);
    return true;
  }

  std::string name_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> open_{0};
  std::thread accept_thread_;
  std::vector<std::thread> threads_;  // written by the accept thread only, joined after it
};
}  // namespace baton::proxy::testing
