#include "proxy/session.hpp"

#include "http/error_response.hpp"
#include "net/stream_receive.hpp"
#include "proxy/session_pump.hpp"
#include "proxy/worker.hpp"

namespace baton::proxy {
namespace {
using pump_detail::view;
// Heads are read in small steps so an idle keep-alive connection holds little
// memory. (Waiting for readability first would save even that, but Asio's
// async_wait costs an epoll_ctl per call, where a read costs nothing extra.)
constexpr std::size_t kHeadReadSize = 1024;  // as nginx's client_header_buffer_size
// Buffers kept between requests; anything larger is returned to the allocator.
constexpr std::size_t kKeepBufferBytes = 16 * 1024;
constexpr std::size_t kKeepFields = 256;
constexpr std::chrono::milliseconds kLingerTimeout{1000};
constexpr std::size_t kMaxEmptyLineBytes = 64;


std::string_view rejection_code(http::Rejection r) {
  switch (r) {
    case http::Rejection::uri_too_long: return "uri_too_long";
    case http::Rejection::headers_too_large: return "headers_too_large";
    case http::Rejection::body_too_large: return "body_too_large";
    case http::Rejection::not_implemented: return "not_implemented";
    case http::Rejection::expectation_failed: return "expectation_failed";
    default: return "bad_request";
  }
}
}  // namespace

Session::Session(Worker& worker, Socket client, std::size_t listener)
    : worker_(worker), client_(std::move(client)), listener_(listener) {
  worker_.add(this);
}

Session::~Session() { worker_.remove(this); }

awaitable<void> run_session(Worker& worker, Socket client, std::size_t listener) {
  ConnectionSlot slot(worker.connections());  // taken at accept
  Session session(worker, std::move(client), listener);
  co_await session.run();
}

void Session::arm(Phase phase, std::chrono::milliseconds timeout) {
  phase_ = phase;
  deadline_ = Clock::now() + timeout;
}

// Expiry is sticky: the cancel is repeated every tick until the session arms a
// new deadline, so an operation started just after a cancel cannot escape it.
// A drain cut is sticky for the rest of the connection, which then closes.
void Session::check_deadline(Clock::time_point now) {
  if (bound_target_ && !cut_ && bound_target_->drain_expired(now)) {
    cut_ = true;
    bound_target_->counters.cut.fetch_add(1, std::memory_order_relaxed);
  }
  if (now < deadline_ && !cut_) return;
  if (!cut_) expired_ = phase_;
  error_code ignored;
  client_.cancel(ignored);
  if (upstream_socket_) upstream_socket_->cancel(ignored);
}

void Session::begin_shutdown(bool close_idle) {
  shutting_down_ = true;
  closing_idle_ = close_idle;
  if (close_idle && phase_ == Phase::idle && client_in_.size() == 0) {
    error_code ignored;
    client_.cancel(ignored);
  }
  wake();
}

void Session::wake() {
  if (hold_timer_) hold_timer_->cancel();
}

awaitable<void> Session::run() {
  client_ip_ = peer_ip(client_);
  bool linger = false;
  // A connection whose last response still said keep-alive may get one more request.
  while (!(shutting_down_ && closing_idle_) || client_in_.size() > 0) {
    // GCC 12 miscompiles co_await inside a condition: every co_await is its own statement.
    bool have_request = co_await read_head();
    if (!have_request) {
      linger = request_parser_ && request_parser_->rejection() != http::Rejection::none;
      break;
    }
    bool keep_going = co_await serve_one();
    if (!keep_going) {
      linger = true;
      break;
    }
  }
  error_code ignored;
  client_.shutdown(Socket::shutdown_send, ignored);
  if (linger) {
    // Read what the client still sends so closing does not reset the connection
    // and destroy the response it has not read yet.
    arm(Phase::send, kLingerTimeout);
    for (std::size_t drained = 0; drained < 1024 * 1024;) {
      char sink[4096];
      auto [ec, n] = co_await client_.async_read_some(asio::buffer(sink), use_nothrow);
      if (ec) break;
      drained += n;
    }
  }
  client_.close(ignored);
}

awaitable<bool> Session::read_head() {
  const auto& settings = worker_.shared().settings;
  request_parser_.emplace(request_, pieces_, worker_.shared().head_limits);
  expired_.reset();
  if (client_in_.size() > 0) arm(Phase::head, settings.timeouts.header);
  else arm(Phase::idle, requests_served_ == 0 ? settings.timeouts.header : settings.timeouts.keepalive);
  for (;;) {
    if (!request_parser_->head_started()) skip_empty_lines();
    if (client_in_.size() > 0) {
      if (phase_ == Phase::idle) arm(Phase::head, settings.timeouts.header);
      if (auto length = request_parser_->parse_head(view(client_in_)); length > 0) {
        // The head's views stay valid until the next read into the buffer.
        client_in_.consume(length);
        co_return true;
      }
      if (auto r = request_parser_->rejection(); r != http::Rejection::none) {
        co_await reply_error(http::status_of(r), rejection_code(r), false);
        co_return false;
      }
    } else {
      if (shutting_down_ && closing_idle_) co_return false;
      release_idle_memory();
    }
    auto [ec, n] = co_await net::async_receive_some(client_, client_in_.prepare(kHeadReadSize), use_nothrow);
    if (ec || n == 0 || expired_) {
      if (expired_ == Phase::head) {
        co_await reply_error(408, "request_timeout", false);
      }
      co_return false;
    }
    client_in_.commit(n);
  }
}

// RFC 9112 §2.2: a server should ignore empty lines received before a request line.
void Session::skip_empty_lines() {
  auto data = view(client_in_);
  std::size_t skip = 0;
  while (skip < data.size() && (data[skip] == '\r' || data[skip] == '\n') && skip < kMaxEmptyLineBytes) ++skip;
  if (skip > 0) client_in_.consume(skip);
}

void Session::release_idle_memory() {
  if (client_in_.capacity() > kKeepBufferBytes) client_in_.shrink_to_fit();
  // A head of thousands of fields must not leave its field list on an idle connection.
  if (request_.fields.capacity() > kKeepFields) std::vector<http::HeaderField>().swap(request_.fields);
  if (response_.fields.capacity() > kKeepFields) std::vector<http::HeaderField>().swap(response_.fields);
  if (head_out_.capacity() > kKeepBufferBytes) head_out_ = std::string();
  if (request_head_.capacity() > kKeepBufferBytes) request_head_ = std::string();
}

awaitable<bool> Session::serve_one() {
  auto started = Clock::now();
  Exchange exchange;
  routes_ = worker_.routes();
  exchange.service = match_route();
  exchange.client_keep_alive = request_.keep_alive && !shutting_down_;
  if (exchange.service && exchange.service->paused) {
    co_await hold(exchange);
  }
  // The head's views stay valid until the body is read: copied only for the log.
  bool logged = exchange.service && exchange.service->access_log;
  auto logged_at = logged ? std::chrono::system_clock::now() : std::chrono::system_clock::time_point();
  if (logged) {
    logged_method_.assign(request_.method_text);
    logged_path_.assign(request_.path);
    request_id_.choose(request_.fields, worker_.request_ids());
  } else {
    request_id_.clear();
  }
  state_ = {};
  uncounted_ = &exchange;
  exchange_started_ = started;
  if (exchange.status == 0) {
    co_await dispatch(exchange);
  }
  ++requests_served_;
  count_exchange();  // no response was written (the client left), or it was counted as it went out
  if (logged) {
    auto took = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
    AccessRecord record{logged_at, request_id_.view(), exchange.service->name, client_ip_, logged_method_, logged_path_,
                        exchange.status, exchange.response_bytes, took,
                        exchange.target ? std::string_view(exchange.target->address_text) : std::string_view(),
                        exchange.retries, exchange.error};
    worker_.log_access(record);
  }
  // What the response promised decides: a connection told keep-alive is not closed under the
  // client's next request (the loop in run() still ends it when idle connections are closing).
  co_return exchange.client_keep_alive && !cut_;
}

// Called as the response's last write starts, not after it: a client that has read its
// response finds it on its next scrape. Once per exchange; later calls count nothing.
void Session::count_exchange() {
  if (!uncounted_) return;
  auto& exchange = *std::exchange(uncounted_, nullptr);
  auto latency = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - exchange_started_);
  auto& block = exchange.counted_on ? exchange.counted_on->block() : worker_.traffic().block(exchange.service, nullptr);
  block.counters.count_response(exchange.status);
  block.counters.count_bytes(state_.request_bytes, exchange.response_bytes);
  // A WebSocket's time is its whole conversation, not a response's latency.
  if (exchange.status != 101) block.counters.observe_latency(static_cast<std::uint64_t>(latency.count()));
}

const Service* Session::match_route() const {
  // `OPTIONS *` asks about the server as a whole: it goes where "/" goes.
  auto route_path = request_.path == "*" ? std::string_view("/") : request_.path;
  return routes_->match(listener_, request_.host, route_path);
}

awaitable<void> Session::dispatch(Exchange& exchange) {
  if (!exchange.service) {
    co_await refuse(exchange, 404, "no_route");
  } else if (exchange.service->site) {
    co_await serve_static(exchange);
  } else if (auto max = exchange.service->limits.max_body;
             max && request_.content_length && *request_.content_length > *max) {
    exchange.client_keep_alive = false;
    co_await refuse(exchange, 413, "body_too_large");
  } else {
    co_await forward(exchange);
  }
}

// A proxy-made answer before any body byte was read: the connection stays
// usable only when the request has no body left on it.
awaitable<void> Session::refuse(Exchange& exchange, unsigned status, std::string_view code) {
  exchange.status = status;
  exchange.error = code;
  exchange.client_keep_alive = exchange.client_keep_alive && !request_.has_body();
  co_await reply_error(status, code, exchange.client_keep_alive);
}

// The service is paused (a recreate deploy, a maintenance switch): wait,
// reading nothing more from the client, for a table without the pause, then
// route again with it. Only held requests pay for the timer.
awaitable<void> Session::hold(Exchange& exchange) {
  auto held = exchange.service->shared;  // shared by every table: outlives this one
  if (held->waiting.fetch_add(1, std::memory_order_relaxed) >= exchange.service->max_waiting) {
    held->waiting.fetch_sub(1, std::memory_order_relaxed);
    co_await refuse(exchange, 503, "pause_queue_full");
    co_return;
  }
  auto deadline = Clock::now() + exchange.service->max_pause;
  asio::steady_timer timer(worker_.context(), deadline);
  hold_timer_ = &timer;
  phase_ = Phase::hold;
  deadline_ = Clock::time_point::max();  // the timer is the deadline: the tick leaves it alone
  while (exchange.service && exchange.service->paused && !shutting_down_ && Clock::now() < deadline) {
    co_await timer.async_wait(use_nothrow);
    routes_ = worker_.routes();
    exchange.service = match_route();
  }
  hold_timer_ = nullptr;
  held->waiting.fetch_sub(1, std::memory_order_relaxed);
  if (exchange.service && exchange.service->paused) {
    co_await refuse(exchange, 503, shutting_down_ ? "shutting_down" : "paused_too_long");
  }
}

awaitable<void> Session::reply_error(unsigned status, std::string_view code, bool keep_alive) {
  auto response = http::make_error_response(status, code, keep_alive);
  count_exchange();  // an error response is always the exchange's last
  co_await write_client(response);
}

awaitable<bool> Session::write_client(std::string_view bytes) {
  arm(Phase::send, worker_.shared().settings.timeouts.send);
  auto [ec, n] = co_await asio::async_write(client_, asio::buffer(bytes.data(), bytes.size()), use_nothrow);
  co_return !ec;
}

awaitable<bool> Session::write_client(const std::vector<asio::const_buffer>& buffers) {
  arm(Phase::send, worker_.shared().settings.timeouts.send);
  auto [ec, n] = co_await asio::async_write(client_, buffers, use_nothrow);
  co_return !ec;
}
}  // namespace baton::proxy
