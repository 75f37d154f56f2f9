// The endpoints of the test backend. Each one reads request_ (valid for the
// whole exchange), consumes the body as it needs, and says whether the
// connection may carry another request.
#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <string>
#include <tuple>
#include <utility>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/websocket.hpp>
#include <fmt/format.h>

#include "bad_responses.hpp"
#include "connection.hpp"

namespace baton::test_backend {
namespace {
using namespace std::string_view_literals;

constexpr std::uint64_t kFnvOffsetBasis = 14695981039346656037ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;
// A whole number of alphabets, so every block of /download starts on a letter boundary.
constexpr std::size_t kPatternBlock = 26 * 2520;

// 'a' + i % 26, with one spare alphabet so any offset can start a full block.
std::string_view download_pattern() {
  static const std::string pattern = [] {
    std::string p(kPatternBlock + 26, '\0');
    for (std::size_t i = 0; i < p.size(); ++i) p[i] = static_cast<char>('a' + i % 26);
    return p;
  }();
  return pattern;
}

std::string stats_json(const BackendStats& stats) {
  return fmt::format(R"({{"requests":{},"connections":{},"open":{}}})",
                     stats.requests.load(std::memory_order_relaxed),
                     stats.connections.load(std::memory_order_relaxed),
                     stats.open.load(std::memory_order_relaxed));
}

awaitable<void> sleep_for(const asio::any_io_executor& executor, std::uint64_t ms) {
  asio::steady_timer timer(executor, std::chrono::milliseconds(ms));
  co_await timer.async_wait(use_nothrow);
}
}  // namespace

Connection::Route Connection::find_route(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, Route>, 18> kExact{{
      {"/hello", &Connection::hello},
      {"/health", &Connection::health},
      {"/name", &Connection::name},
      {"/headers", &Connection::headers},
      {"/echo", &Connection::echo},
      {"/upload", &Connection::upload},
      {"/download", &Connection::download},
      {"/slow", &Connection::slow},
      {"/drip", &Connection::drip},
      {"/hang", &Connection::hang},
      {"/close", &Connection::close_after_reply},
      {"/quiet-close", &Connection::close_without_notice},
      {"/stray", &Connection::stray_bytes_later},
      {"/reset", &Connection::reset},
      {"/reset-after-reply", &Connection::reset_after_reply},
      {"/stats", &Connection::stats},
      {"/stats/reset", &Connection::stats_reset},
      {"/ws", &Connection::websocket_echo},
  }};
  for (auto [route_path, route] : kExact)
    if (route_path == path) return route;
  if (path.starts_with("/status/")) return &Connection::status;
  if (path.starts_with("/bad/")) return &Connection::misbehave;
  return &Connection::not_found;
}

awaitable<Connection::After> Connection::hello() {
  if (state_.misbehaving()) {
    if (state_.latency.count() > 0)
      co_await sleep_for(socket_.get_executor(), static_cast<std::uint64_t>(state_.latency.count()));
    if (state_.next_hello_fails()) co_return co_await reply(500, "failing on purpose\n");
  }
  co_return co_await reply(200, "hello");
}

awaitable<Connection::After> Connection::health() {
  if (!state_.healthy()) {
    co_return co_await reply(503, "unhealthy\n");
  }
  co_return co_await reply(200, "ok");
}

awaitable<Connection::After> Connection::name() { co_return co_await reply(200, state_.name); }

awaitable<Connection::After> Connection::not_found() { co_return co_await reply(404, "not found\n"); }

// The head exactly as received, so tests can see what a proxy forwarded.
awaitable<Connection::After> Connection::headers() { co_return co_await reply(200, head_text_); }

// Streams the body back as it arrives, in the framing it came in.
awaitable<Connection::After> Connection::echo() {
  bool chunked = body_->chunked();
  std::string_view piece;
  // Read first: a 100 Continue, if expected, must precede our head.
  auto ec = co_await next_body_piece(piece);
  if (ec) co_return After::close;
  start_head(200, "application/octet-stream");
  if (chunked) end_head_chunked();
  else end_head_with_length(request_.framing.length);
  ec = co_await write(out_);
  while (!ec && !piece.empty()) {
    ec = co_await write_body_piece(piece, chunked);
    if (ec) break;
    ec = co_await next_body_piece(piece);
  }
  if (ec) co_return After::close;
  co_return co_await finish_body(chunked);
}

awaitable<Connection::After> Connection::upload() {
  std::uint64_t bytes = 0;
  std::uint64_t sum = kFnvOffsetBasis;
  std::string_view piece;
  do {
    auto ec = co_await next_body_piece(piece);
    if (ec) co_return After::close;
    bytes += piece.size();
    for (char c : piece) sum = (sum ^ static_cast<unsigned char>(c)) * kFnvPrime;
  } while (!piece.empty());
  co_return co_await reply(200, fmt::format(R"({{"bytes":{},"sum":{}}})", bytes, sum), "application/json");
}

awaitable<Connection::After> Connection::download() {
  auto bytes = query_number(request_.head.target, "bytes");
  bool chunked = query_number(request_.head.target, "chunked") == 1u;
  if (!bytes) {
    co_return co_await reply(400, "usage: /download?bytes=N[&chunked=1]\n");
  }
  auto ec = co_await drain_body();
  if (ec) co_return After::close;
  start_head(200, "application/octet-stream");
  if (chunked) end_head_chunked();
  else end_head_with_length(*bytes);
  ec = co_await write(out_);
  for (std::uint64_t sent = 0; !ec && sent < *bytes;) {
    auto n = static_cast<std::size_t>(std::min<std::uint64_t>(*bytes - sent, kPatternBlock));
    ec = co_await write_body_piece(download_pattern().substr(sent % 26, n), chunked);
    sent += n;
  }
  if (ec) co_return After::close;
  co_return co_await finish_body(chunked);
}

awaitable<Connection::After> Connection::status() {
  auto code_text = request_.head.path().substr("/status/"sv.size());
  int status = 0;
  auto [end, ec] = std::from_chars(code_text.data(), code_text.data() + code_text.size(), status);
  bool whole = ec == std::errc{} && end == code_text.data() + code_text.size();
  // 1xx are not final responses; a client would wait for the real one forever.
  if (!whole || status < 200 || status > 599) {
    co_return co_await reply(400, "usage: /status/200..599\n");
  }
  co_return co_await reply(status, fmt::format("status {}\n", status));
}

awaitable<Connection::After> Connection::slow() {
  auto ms = query_number(request_.head.target, "ms").value_or(0);
  auto ec = co_await drain_body();
  if (ec) co_return After::close;
  co_await sleep_for(socket_.get_executor(), ms);
  co_return co_await reply(200, "slow");
}

awaitable<Connection::After> Connection::drip() {
  auto chunks = query_number(request_.head.target, "chunks").value_or(5);
  auto ms = query_number(request_.head.target, "ms").value_or(100);
  auto ec = co_await drain_body();
  if (ec) co_return After::close;
  start_head(200, "text/plain");
  end_head_chunked();
  ec = co_await write(out_);
  for (std::uint64_t i = 0; !ec && i < chunks; ++i) {
    co_await sleep_for(socket_.get_executor(), ms);
    ec = co_await write_body_piece(fmt::format("drip {}\n", i), true);
  }
  if (ec) co_return After::close;
  co_return co_await finish_body(true);
}

// Never answers; holds the connection until the peer gives up.
awaitable<Connection::After> Connection::hang() {
  auto ec = co_await drain_body();
  while (!ec) {
    buffer_.consume(buffer_.size());
    ec = co_await read_more();
  }
  co_return After::close;
}

awaitable<Connection::After> Connection::close_after_reply() {
  request_.keep_alive = false;
  co_return co_await reply(200, "close");
}

// A keep-alive response, then a close right behind it: the FIN comes with the response's last
// bytes, and the connection is dead by the time a proxy would reuse it.
awaitable<Connection::After> Connection::close_without_notice() {
  co_await reply(200, "quiet");
  co_return After::close;
}

// A clean response, then, once the connection is idle, bytes nobody asked for: a whole second
// response a proxy must never hand to the next client it reuses the connection for.
awaitable<Connection::After> Connection::stray_bytes_later() {
  auto after = co_await reply(200, "first");  // not inside the if: GCC 12 miscompiles that
  if (after == After::close) co_return After::close;
  co_await sleep_for(socket_.get_executor(), 50);
  co_await write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstray");
  co_return After::keep_alive;
}

// Zero linger turns close() into an RST: the peer sees a reset, not a FIN.
awaitable<Connection::After> Connection::reset() {
  error_code ignored;
  socket_.set_option(asio::socket_base::linger(true, 0), ignored);
  socket_.close(ignored);
  co_return After::close;
}

// A keep-alive response with a reset right behind it: the RST comes with the response's last
// bytes, so a proxy sees no event for it once those bytes are read.
awaitable<Connection::After> Connection::reset_after_reply() {
  co_await reply(200, "then reset");
  co_return co_await reset();
}

awaitable<Connection::After> Connection::stats() {
  co_return co_await reply(200, stats_json(state_.stats), "application/json");
}

// `open` is a gauge of live connections, not a counter, so it stays.
awaitable<Connection::After> Connection::stats_reset() {
  state_.stats.requests.store(0, std::memory_order_relaxed);
  state_.stats.connections.store(0, std::memory_order_relaxed);
  co_return co_await reply(200, stats_json(state_.stats), "application/json");
}

awaitable<Connection::After> Connection::websocket_echo() {
  if (!request_.head.has_token("Upgrade", "websocket")) {
    co_return co_await reply(400, "websocket upgrade expected\n");
  }
  // Beast re-reads the handshake from these bytes; frames the client sent
  // right behind it are kept for the first read.
  std::string received = head_text_;
  received.append(buffered());
  buffer_.consume(buffer_.size());
  beast::websocket::stream<Socket> ws(std::move(socket_));
  auto [ec] = co_await ws.async_accept(asio::buffer(received), use_nothrow);
  beast::flat_buffer message;
  while (!ec) {
    std::tie(ec, std::ignore) = co_await ws.async_read(message, use_nothrow);
    if (ec) break;
    ws.text(ws.got_text());
    std::tie(ec, std::ignore) = co_await ws.async_write(message.data(), use_nothrow);
    message.consume(message.size());
  }
  co_return After::close;
}

// After a broken framing nothing on the connection can be trusted: close it.
awaitable<Connection::After> Connection::misbehave() {
  auto bytes = misbehaving_response(request_.head.path().substr("/bad/"sv.size()));
  if (!bytes) {
    co_return co_await not_found();
  }
  auto ec = co_await drain_body();
  if (!ec) {
    co_await write(*bytes);
  }
  co_return After::close;
}

}  // namespace baton::test_backend
