#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "body_decoder.hpp"
#include "net/asio.hpp"
#include "request_head.hpp"

namespace baton::test_backend {
namespace beast = boost::beast;

// One socket type for TCP and unix clients keeps the connection code non-template.
using Socket = asio::generic::stream_protocol::socket;

struct BackendStats {
  std::atomic<std::uint64_t> requests{0};     // request heads received, before routing
  std::atomic<std::uint64_t> connections{0};  // accepted since start or the last reset
  std::atomic<std::int64_t> open{0};          // currently open
};

// Shared by every thread of the backend.
struct BackendState {
  std::string name;
  BackendStats stats;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  bool unhealthy = false;
  std::optional<std::chrono::milliseconds> unhealthy_after;
  // Set on SIGTERM: finish what was started, take nothing new.
  std::atomic<bool> draining{false};
  unsigned fail_percent = 0;  // of /hello, once misbehaving
  std::chrono::milliseconds latency{0};
  std::chrono::milliseconds misbehave_after{0};
  std::atomic<std::uint64_t> hellos{0};

  bool healthy() const;
  bool misbehaving() const { return std::chrono::steady_clock::now() - started >= misbehave_after; }
  // Whether this /hello is one of the failing share: the k-th fails when k * percent crosses a
  // multiple of 100, so any 100 in a row hold exactly fail_percent failures.
  bool next_hello_fails();
};

class Connection;
// The connections of one io_context thread, so a drain can close the idle ones.
using ConnectionSet = std::unordered_set<Connection*>;

// GCC 12 miscompiles `co_await` inside conditions and unbraced branches (the
// frame's resume point is corrupted): here every co_await is its own statement.

// Serves one client connection: reads requests in order and answers each
// through a route. Routes live in routes.cpp, the reading and writing here.
class Connection {
 public:
  Connection(Socket socket, BackendState& state, ConnectionSet& live);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  awaitable<void> run();
  // On drain: a connection waiting for its next request closes now; a busy one
  // closes after its response.
  void stop_if_idle();

 private:
  enum class After { keep_alive, close };
  using Route = awaitable<After> (Connection::*)();
  struct Request {
    RequestHead head;  // views into head_text_, valid for the whole exchange
    BodyFraming framing;
    bool keep_alive = true;
    bool is_head = false;
    bool expect_continue = false;
  };

  // connection.cpp
  std::string_view buffered() const;
  awaitable<error_code> read_more();
  awaitable<std::optional<std::size_t>> read_head();
  awaitable<After> serve(std::size_t head_size);
  void forget_request();
  awaitable<error_code> send_continue_once();
  awaitable<error_code> next_body_piece(std::string_view& piece);  // empty piece: end of body
  awaitable<error_code> drain_body();
  awaitable<error_code> write(std::string_view bytes);
  awaitable<error_code> write_body_piece(std::string_view piece, bool chunked);
  awaitable<After> finish_body(bool chunked);
  void start_head(int status, std::string_view content_type);
  void end_head_with_length(std::uint64_t length);
  void end_head_chunked();
  After after_response() const { return request_.keep_alive ? After::keep_alive : After::close; }
  awaitable<After> reply(int status, std::string_view body, std::string_view content_type = "text/plain");
  awaitable<void> close_gracefully();

  // routes.cpp
  static Route find_route(std::string_view path);
  awaitable<After> hello();
  awaitable<After> health();
  awaitable<After> name();
  awaitable<After> headers();
  awaitable<After> echo();
  awaitable<After> upload();
  awaitable<After> download();
  awaitable<After> status();
  awaitable<After> slow();
  awaitable<After> drip();
  awaitable<After> hang();
  awaitable<After> close_after_reply();
  awaitable<After> close_without_notice();
  awaitable<After> stray_bytes_later();
  awaitable<After> reset();
  awaitable<After> reset_after_reply();
  awaitable<After> stats();
  awaitable<After> stats_reset();
  awaitable<After> websocket_echo();
  awaitable<After> misbehave();
  awaitable<After> not_found();

  Socket socket_;
  BackendState& state_;
  ConnectionSet& live_;
  beast::flat_buffer buffer_;
  std::string head_text_;  // the current request head, copied out of buffer_
  std::string out_;        // response head being built; its capacity is reused
  Request request_;
  std::optional<BodyDecoder> body_;
  std::size_t piece_in_buffer_ = 0;  // body bytes handed out, dropped on the next read
  bool body_done_ = true;
  bool continue_sent_ = false;
  bool waiting_for_head_ = false;
};

}  // namespace baton::test_backend
