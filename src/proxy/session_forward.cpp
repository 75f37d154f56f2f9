// The upstream half of a session: pick a target, lease or open a connection,
// send the request, relay the response. Retries follow one rule: a request is
// re-sent only when it cannot have reached the app, or when it is idempotent
// and no byte of its body has been consumed.
#include <charconv>

#include "http/error_response.hpp"
#include "http/head_writer.hpp"
#include "proxy/session.hpp"
#include "proxy/worker.hpp"

namespace baton::proxy {
namespace {
constexpr std::size_t kBodyReadSize = 64 * 1024;
constexpr std::size_t kResponseHeadReadSize = 8 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kLastChunk = "0\r\n\r\n";

std::string_view view(const beast::flat_buffer& b) {
  return {static_cast<const char*>(b.data().data()), b.size()};
}

struct InFlight {
  explicit InFlight(Target& t) : target(t) {
    target.counters.in_flight.fetch_add(1, std::memory_order_relaxed);
    target.counters.requests.fetch_add(1, std::memory_order_relaxed);
  }
  ~InFlight() { target.counters.in_flight.fetch_sub(1, std::memory_order_relaxed); }
  InFlight(const InFlight&) = delete;
  Target& target;
};

// Frames decoded body pieces for the peer: as they are, or re-chunked as one
// chunk per read, so the peer only ever sees framing Baton wrote itself.
class BodyFramer {
 public:
  void frame(std::vector<asio::const_buffer>& out, const http::BodyPieces& pieces, bool chunked, bool last) {
    if (chunked && pieces.bytes > 0) {
      auto [end, ec] = std::to_chars(size_line_, size_line_ + 16, pieces.bytes, 16);
      *end++ = '\r';
      *end++ = '\n';
      out.emplace_back(size_line_, static_cast<std::size_t>(end - size_line_));
    }
    for (auto p : pieces.pieces)
      if (!p.empty()) out.emplace_back(p.data(), p.size());
    if (chunked && pieces.bytes > 0) out.emplace_back(kCrlf.data(), kCrlf.size());
    if (chunked && last) out.emplace_back(kLastChunk.data(), kLastChunk.size());
  }

 private:
  char size_line_[20];
};
}  // namespace

awaitable<std::unique_ptr<UpstreamConnection>> Session::connect_upstream(Target& target, bool& reused,
                                                                          bool fresh_only) {
  if (!fresh_only) {
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
  if (target.address.kind == Address::Kind::tcp) set_no_delay(socket);
  co_return std::make_unique<UpstreamConnection>(std::move(socket), target.id);
}

awaitable<void> Session::forward(Exchange& ex) {
  service_ = ex.service;
  response_parser_.reset();
  const auto& listener = routes_->listeners[listener_];
  http::write_request_head(request_head_, request_, {client_ip_, listener.host_text});
  std::string_view request_head = request_head_;
  bool body_consumed = false;
  bool retry_same_target = false;
  http::SmallVector<Target*, 16> tried;
  Target* target = nullptr;
  for (std::uint32_t attempt = 0; attempt <= service_->retries; ++attempt) {
    if (!retry_same_target) target = service_->targets.pick({tried.begin(), tried.size()}, Clock::now());
    if (!target) break;
    if (attempt > 0) ++ex.retries;
    bool reused = false;
    auto up = co_await connect_upstream(*target, reused, retry_same_target);
    retry_same_target = false;
    if (!up) {
      tried.push_back(target);
      expired_.reset();
      continue;
    }
    ex.target = target;
    InFlight in_flight(*target);
    upstream_socket_ = &up->socket;
    std::size_t head_length = 0;
    if (co_await send_request(*up, request_head, body_consumed))
      head_length = co_await read_response_head(*up, request_.method == http::Verb::head);
    if (head_length > 0) {
      co_await relay_response(std::move(up), ex);
      upstream_socket_ = nullptr;
      co_return;
    }
    upstream_socket_ = nullptr;
    target->counters.upstream_errors.fetch_add(1, std::memory_order_relaxed);
    if (client_failed_) {
      ex.client_keep_alive = false;
      ex.status = request_parser_->failed() ? 400 : 499;
      ex.error = request_parser_->failed() ? "bad_request_body" : "client_gone";
      if (ex.status == 400) co_await reply_error(400, ex.error, false);
      co_return;
    }
    if (expired_ == Phase::response) {
      ex.status = 504;
      ex.error = "upstream_timeout";
      break;
    }
    bool malformed = response_parser_ && response_parser_->failed();
    bool nothing_received = upstream_in_.size() == 0 && !malformed;
    upstream_in_.consume(upstream_in_.size());
    if (nothing_received && !body_consumed && request_.is_idempotent()) {
      if (reused) retry_same_target = true;  // most likely a keep-alive the upstream had just closed
      else tried.push_back(target);
      continue;
    }
    ex.status = 502;
    ex.error = malformed ? "bad_upstream_response" : "upstream_reset";
    break;
  }
  if (ex.status == 0) {
    ex.status = 502;
    ex.error = "upstream_unreachable";
  }
  if (ex.status == 504 || body_consumed || request_.has_body()) ex.client_keep_alive = false;
  co_await reply_error(ex.status, ex.error, ex.client_keep_alive);
}

awaitable<bool> Session::send_request(UpstreamConnection& up, std::string_view head, bool& body_consumed) {
  std::string_view prefix = head;
  if (!request_.has_body() || (request_.expect_continue && client_in_.size() == 0)) {
    arm(Phase::body, service_->timeouts.body);
    auto [ec, n] = co_await asio::async_write(up.socket, asio::buffer(head.data(), head.size()), use_nothrow);
    if (ec || !request_.has_body()) co_return !ec;
    prefix = {};
    if (!sent_continue_) {
      sent_continue_ = true;
      if (!co_await write_client(kContinue)) {
        client_failed_ = true;
        co_return false;
      }
    }
  }
  body_consumed = true;
  std::uint64_t bytes = 0;
  auto result = co_await pump(client_, client_in_, *request_parser_, up.socket, request_.chunked, prefix,
                              Phase::body, bytes);
  if (result == PumpResult::read_failed || result == PumpResult::malformed) client_failed_ = true;
  co_return result == PumpResult::done;
}

awaitable<std::size_t> Session::read_response_head(UpstreamConnection& up, bool head_request) {
  for (;;) {
    arm(Phase::response, service_->timeouts.response);
    response_parser_.emplace(response_, pieces_, head_request);
    std::size_t length = 0;
    while (length == 0) {
      if (upstream_in_.size() > 0) {
        length = response_parser_->parse_head(view(upstream_in_));
        if (length > 0) break;
        if (response_parser_->failed()) co_return 0;
      }
      auto [ec, n] = co_await up.socket.async_read_some(upstream_in_.prepare(kResponseHeadReadSize), use_nothrow);
      if (ec) co_return 0;
      upstream_in_.commit(n);
    }
    upstream_in_.consume(length);
    if (response_.status / 100 != 1 || response_.status == 101) co_return length;
    // Interim responses (103 Early Hints...) go on to HTTP/1.1 clients; 100 was Baton's to send.
    if (response_.status != 100 && request_.version >= 11) {
      http::write_response_head(head_out_, response_, http::ClientFraming::none, true, request_.version);
      if (!co_await write_client(head_out_)) {
        client_failed_ = true;
        co_return 0;
      }
    }
  }
}

awaitable<void> Session::relay_response(std::unique_ptr<UpstreamConnection> up, Exchange& ex) {
  ex.status = response_.status;
  if (response_.status == 101) {
    ex.client_keep_alive = false;
    if (!request_.websocket_upgrade) {
      ex.status = 502;
      ex.error = "unexpected_upgrade";
      co_await reply_error(502, ex.error, false);
      co_return;
    }
    http::write_response_head(head_out_, response_, http::ClientFraming::none, true, request_.version);
    if (co_await write_client(head_out_)) co_await tunnel(std::move(up));
    co_return;
  }
  auto framing = http::choose_client_framing(response_, request_.version);
  bool keep_alive = ex.client_keep_alive && framing != http::ClientFraming::until_close;
  http::write_response_head(head_out_, response_, framing, keep_alive, request_.version);
  auto result = PumpResult::done;
  if (response_parser_->is_done()) {
    if (!co_await write_client(head_out_)) result = PumpResult::write_failed;
  } else {
    result = co_await pump(up->socket, upstream_in_, *response_parser_, client_,
                           framing == http::ClientFraming::chunked, head_out_, Phase::send, ex.response_bytes);
  }
  if (result == PumpResult::read_failed || result == PumpResult::malformed) ex.error = "upstream_cut_mid_response";
  ex.client_keep_alive = keep_alive && result == PumpResult::done;
  bool reusable = result == PumpResult::done && response_.keep_alive && !response_.until_eof &&
                  upstream_in_.size() == 0 && !shutting_down_;
  upstream_in_.consume(upstream_in_.size());
  if (reusable) worker_.pool().give_back(std::move(up), Clock::now());
}

// Streams one message body from `from` to `to` in bounded memory: one read,
// one gathered write, until the parser says the body is complete.
template <typename Parser>
awaitable<Session::PumpResult> Session::pump(Socket& from, beast::flat_buffer& in, Parser& parser, Socket& to,
                                             bool chunked_out, std::string_view prefix, Phase write_phase,
                                             std::uint64_t& bytes) {
  const auto& timeouts = service_->timeouts;
  BodyFramer framer;
  for (;;) {
    pieces_.clear();
    std::size_t used = in.size() > 0 ? parser.parse_body(view(in)) : 0;
    if (parser.failed()) co_return PumpResult::malformed;
    bool done = parser.is_done();
    gather_.clear();
    if (!prefix.empty()) gather_.emplace_back(prefix.data(), prefix.size());
    framer.frame(gather_, pieces_, chunked_out, done);
    if (!gather_.empty()) {
      arm(write_phase, write_phase == Phase::send ? timeouts.send : timeouts.body);
      auto [ec, n] = co_await asio::async_write(to, gather_, use_nothrow);
      if (ec) co_return PumpResult::write_failed;
      bytes += pieces_.bytes;
      prefix = {};
    }
    in.consume(used);
    if (done) co_return PumpResult::done;
    if (in.size() > 0 && used > 0) continue;
    arm(Phase::body, timeouts.body);
    auto [ec, n] = co_await from.async_read_some(in.prepare(kBodyReadSize), use_nothrow);
    if (ec == asio::error::eof && parser.need_eof()) {
      parser.finish_at_eof();
      if (parser.failed()) co_return PumpResult::read_failed;
      continue;
    }
    if (ec) co_return PumpResult::read_failed;
    in.commit(n);
  }
}
}  // namespace baton::proxy
