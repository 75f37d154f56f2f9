// The upstream half of a session: pick a target, lease or open a connection,
// send the request, relay the response. Retries follow one rule: a request is
// re-sent only when it cannot have reached the app, or when it is idempotent,
// no byte of its body has been consumed and no byte of a response came back.
#include "http/error_response.hpp"
#include "http/head_writer.hpp"
#include "http/websocket_accept.hpp"
#include "net/stream_receive.hpp"
#include "proxy/release_pick.hpp"
#include "proxy/session.hpp"
#include "proxy/session_pump.hpp"
#include "proxy/worker.hpp"

namespace baton::proxy {
namespace {
constexpr std::size_t kResponseHeadReadSize = 8 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
using pump_detail::view;

// Counts an exchange on its target from the request's first byte to the
// response's last (a tunnel: to its close), and binds the session to the
// target meanwhile so the target's drain deadline can reach it.
struct InFlight {
  InFlight(Target& t, Target*& bound) : target(t), bound_target(bound) {
    target.counters.in_flight.fetch_add(1, std::memory_order_relaxed);
    target.counters.requests.fetch_add(1, std::memory_order_relaxed);
    bound_target = &target;
  }
  ~InFlight() {
    bound_target = nullptr;
    target.counters.in_flight.fetch_sub(1, std::memory_order_relaxed);
  }
  InFlight(const InFlight&) = delete;
  Target& target;
  Target*& bound_target;
};

// Counts a WebSocket as open on its target for as long as its tunnel runs.
struct OpenWebSocket {
  explicit OpenWebSocket(metrics::TrafficCounters& c) : counters(c) { counters.websocket_opened(); }
  ~OpenWebSocket() { counters.websocket_closed(); }
  OpenWebSocket(const OpenWebSocket&) = delete;
  metrics::TrafficCounters& counters;
};

const http::HeaderField* find_field(const http::ResponseHead& head, http::Field id) {
  for (const auto& f : head.fields)
    if (f.id == id) return &f;
  return nullptr;
}
}  // namespace

awaitable<std::unique_ptr<UpstreamConnection>> Session::connect_upstream(Target& target, bool& reused,
                                                                          bool fresh_only) {
  if (!fresh_only && worker_.pool().has_idle(target.id)) {
    // Events the reactor already collected (an idle connection's close or stray
    // bytes) are handled first, so its idle watch has flagged such a connection.
    co_await asio::post(worker_.context(), asio::use_awaitable);
    if (auto conn = worker_.pool().take(target.id, Clock::now())) {
      reused = true;
      co_return conn;
    }
  }
  reused = false;
  auto endpoint = to_endpoint(target.address);
  Socket socket(worker_.context());
  error_code ec;
  socket.open(endpoint.protocol(), ec);
  if (ec) co_return nullptr;
  upstream_socket_ = &socket;
  arm(Phase::connect, service_->timeouts.connect);
  std::tie(ec) = co_await socket.async_connect(endpoint, use_nothrow);
  upstream_socket_ = nullptr;
  if (ec) {
    target.counters.connect_failures.fetch_add(1, std::memory_order_relaxed);
    start_cooldown(target, Clock::now());
    co_return nullptr;
  }
  if (target.address.kind == Address::Kind::tcp) set_tcp_options(socket);
  co_return std::make_unique<UpstreamConnection>(std::move(socket), target.id);
}

awaitable<void> Session::forward(Exchange& ex) {
  service_ = ex.service;
  response_parser_.reset();  // state_ was reset by serve_one for this exchange
  const auto& listener = routes_->listeners[listener_];
  http::write_request_head(request_head_, request_,
                           {client_ip_, listener.host_text, service_->underscores_in_headers, request_id_.view()});
  bool retry_same_target = false;
  http::SmallVector<Target*, 16> tried;
  Target* target = nullptr;
  std::string_view reached_but_failed;  // set once a target was reached: not "unreachable" then
  auto [release, forced] = choose_release(*service_, request_.fields);
  state_.release_forced = forced;
  std::uint32_t dead_pooled = 0;  // pooled connections found closed: their retry is not counted
  for (std::uint32_t attempt = 0; attempt <= service_->retries + dead_pooled; ++attempt) {
    if (!retry_same_target) target = pick_target(*service_, release, {tried.begin(), tried.size()}, Clock::now());
    if (!target) break;
    if (attempt > 0) ++ex.retries;
    ex.counted_on.reset();
    ex.counted_on.emplace(worker_.traffic().block(service_, target));
    bool reused = false;
    auto up = co_await connect_upstream(*target, reused, retry_same_target);
    retry_same_target = false;
    if (!up) {
      count_upstream_error(ex, expired_ == Phase::connect ? metrics::UpstreamError::timeout
                                                          : metrics::UpstreamError::refused);
      tried.push_back(target);
      expired_.reset();
      continue;
    }
    ex.target = target;
    InFlight in_flight(*target, bound_target_);
    upstream_socket_ = &up->socket;
    state_.request_sent = co_await send_request(*up, request_head_);
    // An upstream may answer early (a 413, a 401) and stop reading the body:
    // that answer is still the one the client should get.
    bool may_have_answered = state_.request_sent || (state_.body_consumed && !state_.client_failed);
    std::size_t head_length = 0;
    if (may_have_answered) {
      head_length = co_await read_response_head(*up, request_.method == http::Verb::head);
    }
    if (head_length > 0) {
      co_await relay_response(std::move(up), ex);
      upstream_socket_ = nullptr;
      co_return;
    }
    upstream_socket_ = nullptr;
    if (state_.client_failed) {
      co_await reply_client_failure(ex);
      co_return;
    }
    if (cut_) {
      ex.status = 502;
      ex.error = "upstream_drained";
      break;
    }
    if (expired_ == Phase::response) {
      count_upstream_error(ex, metrics::UpstreamError::timeout);
      ex.status = 504;
      ex.error = "upstream_timeout";
      break;
    }
    bool malformed = response_parser_ && response_parser_->failed();
    bool nothing_received = up->buffer.size() == 0 && !malformed && !state_.response_started;
    // A pooled connection that refused the head's first byte was dead before the
    // request: whatever its method, no app has seen it.
    bool unsent_on_dead_pooled = reused && state_.nothing_sent;
    // A keep-alive connection the upstream had just closed is how pooling goes, not an app's error.
    if (!(reused && nothing_received))
      count_upstream_error(ex, malformed ? metrics::UpstreamError::bad_response : metrics::UpstreamError::reset);
    if (nothing_received && !state_.body_consumed && (request_.is_idempotent() || unsent_on_dead_pooled)) {
      reached_but_failed = "upstream_reset";
      if (reused) {
        retry_same_target = true;  // most likely a keep-alive the upstream had just closed
        ++dead_pooled;
      } else {
        tried.push_back(target);
      }
      expired_.reset();
      continue;
    }
    ex.status = 502;
    ex.error = malformed ? "bad_upstream_response" : "upstream_reset";
    break;
  }
  if (ex.status == 0 && service_->targets.targets().empty()) {
    // Nothing to try (a stopped service, or none of its instances healthy yet): unavailable, not broken.
    ex.status = 503;
    ex.error = "no_target";
  } else if (ex.status == 0) {
    ex.status = 502;
    ex.error = reached_but_failed.empty() ? "upstream_unreachable" : reached_but_failed;
  }
  if (ex.status == 504 || state_.body_consumed || request_.has_body()) ex.client_keep_alive = false;
  co_await reply_error(ex.status, ex.error, ex.client_keep_alive);
}

void Session::count_upstream_error(Exchange& ex, metrics::UpstreamError kind) {
  if (ex.counted_on) ex.counted_on->block().counters.count_upstream_error(kind);
}

// Added to every response while the service spans several releases, so the
// client's next request goes to the release that answered this one.
void Session::add_affinity_cookie(const Target* target) {
  const auto& affinity = service_->affinity;
  if (!affinity.enabled() || state_.release_forced) return;
  int release = service_->targets.release_of(target);
  if (release == TargetSet::kAnyRelease) return;
  head_out_.resize(head_out_.size() - 2);  // the head's blank line goes after the field
  head_out_.append(affinity.set_cookie[static_cast<std::size_t>(release)]);
  head_out_.append("\r\n");
}

awaitable<void> Session::reply_client_failure(Exchange& ex) {
  ex.client_keep_alive = false;
  auto rejection = request_parser_->rejection();
  if (state_.body_too_large || rejection == http::Rejection::body_too_large) {
    ex.status = 413;
    ex.error = "body_too_large";
  } else if (rejection != http::Rejection::none) {
    ex.status = 400;
    ex.error = "bad_request_body";
  } else if (expired_ == Phase::body) {
    ex.status = 408;
    ex.error = "body_timeout";
  } else {
    ex.status = 499;  // the client went away: nobody to answer
    ex.error = "client_gone";
    co_return;
  }
  co_await reply_error(ex.status, ex.error, false);
}

awaitable<bool> Session::send_request(UpstreamConnection& up, std::string_view head) {
  std::string_view prefix = head;
  state_.nothing_sent = false;
  if (!request_.has_body() || (request_.expect_continue && client_in_.size() == 0)) {
    arm(Phase::body, service_->timeouts.body);
    auto [ec, n] = co_await asio::async_write(up.socket, asio::buffer(head.data(), head.size()), use_nothrow);
    state_.nothing_sent = ec && n == 0;
    if (ec || !request_.has_body()) co_return !ec;
    prefix = {};
    if (request_.expect_continue && !state_.sent_continue) {
      state_.sent_continue = true;
      bool continued = co_await write_client(kContinue);
      if (!continued) {
        state_.client_failed = true;
        co_return false;
      }
    }
  }
  state_.body_consumed = true;
  std::uint64_t bytes = 0;
  auto result = co_await pump(client_, client_in_, *request_parser_, up.socket, request_.chunked, prefix,
                              Phase::body, bytes, service_->limits.max_body);
  state_.request_bytes += bytes;
  state_.body_too_large = result == PumpResult::too_large;
  if (result != PumpResult::done && result != PumpResult::write_failed) state_.client_failed = true;
  co_return result == PumpResult::done;
}

awaitable<std::size_t> Session::read_response_head(UpstreamConnection& up, bool head_request) {
  // Armed once: a stream of interim responses must not hold the exchange forever.
  arm(Phase::response, service_->timeouts.response);
  for (;;) {
    response_parser_.emplace(response_, pieces_, head_request);
    std::size_t length = 0;
    while (length == 0) {
      if (up.buffer.size() > 0) {
        state_.response_started = true;
        length = response_parser_->parse_head(view(up.buffer));
        if (length > 0) break;
        if (response_parser_->failed()) co_return 0;
      }
      auto [ec, n] = co_await net::async_receive_some(up.socket, up.buffer.prepare(kResponseHeadReadSize), use_nothrow);
      if (ec || expired_) co_return 0;
      up.buffer.commit(n);
    }
    up.buffer.consume(length);
    if (response_.status / 100 != 1 || response_.status == 101) co_return length;
    // Interim responses (103 Early Hints...) go on to HTTP/1.1 clients; 100 was Baton's to send.
    if (response_.status != 100 && request_.version >= 11) {
      http::write_response_head(head_out_, response_, http::ClientFraming::none, true, request_.version);
      bool written = co_await write_client(head_out_);
      if (!written) {
        state_.client_failed = true;
        co_return 0;
      }
      arm(Phase::response, service_->timeouts.response);
    }
  }
}

bool Session::valid_websocket_accept() const {
  auto* upgrade = find_field(response_, http::Field::upgrade);
  auto* accept = find_field(response_, http::Field::sec_websocket_accept);
  return upgrade && http::iequals(upgrade->value, "websocket") && accept &&
         accept->value == http::websocket_accept(request_.websocket_key);
}

awaitable<void> Session::relay_response(std::unique_ptr<UpstreamConnection> up, Exchange& ex) {
  ex.status = response_.status;
  if (response_.status == 101) {
    ex.client_keep_alive = false;
    if (!request_.websocket_upgrade || !valid_websocket_accept()) {
      count_upstream_error(ex, metrics::UpstreamError::bad_response);
      ex.status = 502;
      ex.error = "bad_upgrade";
      co_await reply_error(502, ex.error, false);
      co_return;
    }
    http::write_response_head(head_out_, response_, http::ClientFraming::none, true, request_.version);
    add_affinity_cookie(ex.target);
    count_exchange();  // the client has its answer with the 101, long before the tunnel closes
    bool written = co_await write_client(head_out_);
    if (written) {
      OpenWebSocket open(ex.counted_on->block().counters);
      co_await tunnel(std::move(up));
    }
    co_return;
  }
  auto framing = http::choose_client_framing(response_, request_.version);
  // A request whose body the upstream did not take leaves the client stream mid-body.
  bool keep_alive = ex.client_keep_alive && framing != http::ClientFraming::until_close && state_.request_sent &&
                    !shutting_down_;
  http::write_response_head(head_out_, response_, framing, keep_alive, request_.version);
  add_affinity_cookie(ex.target);
  auto result = PumpResult::done;
  if (response_parser_->is_done()) {
    count_exchange();
    bool written = co_await write_client(head_out_);
    if (!written) result = PumpResult::write_failed;
  } else {
    std::string_view head = head_out_;
    result = co_await pump(up->socket, up->buffer, *response_parser_, client_,
                           framing == http::ClientFraming::chunked, head, Phase::send, ex.response_bytes,
                           std::nullopt);
    if (result == PumpResult::malformed && !head.empty()) {
      // Nothing reached the client yet: it can still be told, and the connection kept.
      ex.status = 502;
      ex.error = "bad_upstream_response";
      count_upstream_error(ex, metrics::UpstreamError::bad_response);
      ex.client_keep_alive = ex.client_keep_alive && state_.request_sent && !shutting_down_;
      co_await reply_error(502, ex.error, ex.client_keep_alive);
      co_return;
    }
  }
  if (result == PumpResult::read_failed || result == PumpResult::malformed) {
    ex.error = "upstream_cut_mid_response";
    if (!cut_) count_upstream_error(ex, result == PumpResult::malformed ? metrics::UpstreamError::bad_response
                                                             : metrics::UpstreamError::reset);
  }
  ex.client_keep_alive = keep_alive && result == PumpResult::done;
  // Bodiless responses are where broken apps send stray bytes anyway; such a
  // connection is not worth the risk of handing those bytes to the next client.
  bool bodiless_answer = request_.method == http::Verb::head || response_.status == 204 || response_.status == 304;
  bool reusable = result == PumpResult::done && state_.request_sent && response_.keep_alive &&
                  !response_.until_eof && up->buffer.size() == 0 && !bodiless_answer && !shutting_down_;
  if (reusable) worker_.give_back(std::move(up), routes_.get(), Clock::now());
}
}  // namespace baton::proxy
