#pragma once
// One client connection: reads requests, routes them, forwards them upstream
// and streams the responses back, in order, until either side closes.
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "http/request_parser.hpp"
#include "http/response_parser.hpp"
#include "proxy/intrusive_list.hpp"
#include "proxy/request_id.hpp"
#include "proxy/route_table.hpp"
#include "proxy/socket_util.hpp"
#include "proxy/upstream_pool.hpp"
#include "proxy/worker_traffic.hpp"

namespace baton::proxy {
class Worker;
using Clock = std::chrono::steady_clock;

// What the session waits for; a passed deadline means something different in each.
enum class Phase : std::uint8_t { idle, head, hold, connect, response, body, send, tunnel };

// How one forwarded exchange ended, for the access log and keep-alive.
struct Exchange {
  const Service* service = nullptr;
  Target* target = nullptr;
  unsigned status = 0;
  std::uint64_t response_bytes = 0;
  std::uint32_t retries = 0;
  bool client_keep_alive = true;
  std::string_view error;  // X-Baton-Error code of a proxy-made response
  // The counters of the target tried last (reached or not); held open until the exchange is counted.
  std::optional<OpenExchange> counted_on;
};

class Session : public ListHook<Session> {
 public:
  Session(Worker& worker, Socket client, std::size_t listener);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  awaitable<void> run();
  // Called by the worker's tick: cancels the pending operation once the deadline passed.
  void check_deadline(Clock::time_point now);
  // Graceful stop: idle connections close now, busy ones after their response.
  // Every later response closes its connection; `close_idle` also ends a connection waiting for a request.
  void begin_shutdown(bool close_idle = true);
  // A table was published: a request held for a paused service looks again.
  void wake();
  std::size_t listener() const { return listener_; }

 private:
  // session.cpp
  awaitable<bool> read_head();
  awaitable<bool> serve_one();
  const Service* match_route() const;
  awaitable<void> dispatch(Exchange& exchange);
  awaitable<void> hold(Exchange& exchange);
  awaitable<void> refuse(Exchange& exchange, unsigned status, std::string_view code);
  awaitable<void> reply_error(unsigned status, std::string_view code, bool keep_alive);
  awaitable<bool> write_client(std::string_view bytes);
  awaitable<bool> write_client(const std::vector<asio::const_buffer>& buffers);
  void arm(Phase phase, std::chrono::milliseconds timeout);
  void log_exchange(const Exchange& exchange, Clock::time_point started) const;
  void count_exchange();
  void release_idle_memory();
  void skip_empty_lines();

  // session_forward.cpp
  enum class PumpResult : std::uint8_t { done, read_failed, write_failed, malformed, too_large };
  awaitable<void> forward(Exchange& exchange);
  awaitable<std::unique_ptr<UpstreamConnection>> connect_upstream(Target& target, bool& reused, bool fresh_only);
  awaitable<bool> send_request(UpstreamConnection& up, std::string_view head);
  awaitable<std::size_t> read_response_head(UpstreamConnection& up, bool head_request);
  awaitable<void> relay_response(std::unique_ptr<UpstreamConnection> up, Exchange& exchange);
  awaitable<void> reply_client_failure(Exchange& exchange);
  void add_affinity_cookie(const Target* target);
  void count_upstream_error(Exchange& exchange, metrics::UpstreamError kind);
  bool valid_websocket_accept() const;

  // session_pump.cpp
  template <typename Parser>
  awaitable<PumpResult> pump(Socket& from, beast::flat_buffer& in, Parser& parser, Socket& to, bool chunked_out,
                             std::string_view& prefix, Phase write_phase, std::uint64_t& bytes,
                             std::optional<std::uint64_t> max_bytes);

  // session_static.cpp
  awaitable<void> serve_static(Exchange& exchange);
  awaitable<bool> send_file_range(int file, std::uint64_t offset, std::uint64_t length);

  // session_tunnel.cpp
  awaitable<void> tunnel(std::unique_ptr<UpstreamConnection> up);
  awaitable<void> relay_direction(Socket& from, beast::flat_buffer& buffer, Socket& to);

  Worker& worker_;
  Socket client_;
  std::size_t listener_;
  std::string client_ip_;
  beast::flat_buffer client_in_;
  std::string head_out_;
  std::string request_head_;
  std::vector<asio::const_buffer> gather_;
  http::RequestHead request_;
  http::ResponseHead response_;
  http::BodyPieces pieces_;
  std::optional<http::RequestParser> request_parser_;
  std::optional<http::ResponseParser> response_parser_;
  std::shared_ptr<const RouteTable> routes_;  // held for the exchange: a publish may not free it
  const Service* service_ = nullptr;
  Exchange* uncounted_ = nullptr;  // the exchange being served, until count_exchange() counts it
  Clock::time_point exchange_started_;

  // What happened during the current exchange; reset for every request.
  struct ExchangeState {
    bool body_consumed = false;       // a body byte was read: the request can no longer be re-sent
    bool request_sent = false;        // the whole request reached the upstream
    bool nothing_sent = false;        // the head's write failed before a byte left: no app saw it
    bool client_failed = false;       // the client side broke (reset, timeout, bad body)
    bool body_too_large = false;
    bool response_started = false;    // any response byte (even a 1xx) came back
    bool sent_continue = false;
    bool release_forced = false;      // by X-Baton-Canary: the affinity cookie is left alone
    std::uint64_t request_bytes = 0;  // of the body sent upstream
  } state_;
  Socket* upstream_socket_ = nullptr;  // cancelled together with the client on a deadline
  Target* bound_target_ = nullptr;     // while an exchange is open on it: the drain deadline applies
  bool cut_ = false;                   // the drain deadline passed: everything is cancelled, then closed
  asio::steady_timer* hold_timer_ = nullptr;  // while held for a paused service

  Phase phase_ = Phase::idle;
  Clock::time_point deadline_ = Clock::time_point::max();
  std::optional<Phase> expired_;
  bool shutting_down_ = false;
  bool closing_idle_ = true;  // with shutting_down_: connections waiting for a request end now
  std::uint32_t requests_served_ = 0;
  // For a logged request: what its access log line needs once the head's views are gone. Kept
  // from request to request, so a warm connection logs without allocating.
  RequestId request_id_;
  std::string logged_method_;
  std::string logged_path_;
};

awaitable<void> run_session(Worker& worker, Socket client, std::size_t listener);
}  // namespace baton::proxy
