#include "connection.hpp"

#include <array>
#include <chrono>
#include <charconv>
#include <iterator>
#include <sys/socket.h>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>
#include <fmt/format.h>

namespace baton::test_backend {
namespace {
constexpr std::size_t kReadChunk = 16 * 1024;
constexpr std::size_t kMaxHeadBytes = 64 * 1024;
constexpr auto kLingerTime = std::chrono::seconds(1);

// Keeps `open` right however the session ends, including io_context teardown.
struct OpenConnectionCount {
  BackendStats& stats;
  explicit OpenConnectionCount(BackendStats& s) : stats(s) {
    stats.connections.fetch_add(1, std::memory_order_relaxed);
    stats.open.fetch_add(1, std::memory_order_relaxed);
  }
  ~OpenConnectionCount() { stats.open.fetch_sub(1, std::memory_order_relaxed); }
};

void append_number(std::string& out, std::uint64_t value) {
  char digits[20];
  auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

bool status_has_body(int status) { return status >= 200 && status != 204 && status != 304; }
}  // namespace

bool BackendState::next_hello_fails() {
  if (fail_percent == 0) return false;
  auto k = hellos.fetch_add(1, std::memory_order_relaxed);
  return (k + 1) * fail_percent / 100 > k * fail_percent / 100;
}

bool BackendState::healthy() const {
  if (unhealthy) return false;
  return !unhealthy_after || std::chrono::steady_clock::now() - started < *unhealthy_after;
}

Connection::Connection(Socket socket, BackendState& state, ConnectionSet& live)
    : socket_(std::move(socket)), state_(state), live_(live), buffer_(kMaxHeadBytes + kReadChunk) {
  live_.insert(this);
}

Connection::~Connection() { live_.erase(this); }

void Connection::stop_if_idle() {
  if (!waiting_for_head_ || buffer_.size() != 0) return;
  error_code ignored;
  socket_.cancel(ignored);
}

std::string_view Connection::buffered() const {
  return {static_cast<const char*>(buffer_.data().data()), buffer_.size()};
}

awaitable<void> Connection::run() {
  OpenConnectionCount count(state_.stats);
  error_code ignored;
  // Responses are often written in two pieces (head, then body); Nagle would hold the second.
  if (socket_.local_endpoint(ignored).protocol().family() != AF_UNIX)
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  while (true) {
    auto head_size = co_await read_head();
    if (!head_size) break;
    auto after = co_await serve(*head_size);
    if (after == After::close) break;
    auto unread = co_await drain_body();  // what the route left unread
    if (unread) break;
  }
  co_await close_gracefully();
}

// Closing with unread input makes the kernel answer with RST, which can destroy
// a response still in flight to the peer. So: FIN first, then read and drop
// whatever the peer still sends until it closes too, for a short while.
awaitable<void> Connection::close_gracefully() {
  error_code ignored;
  socket_.shutdown(asio::socket_base::shutdown_send, ignored);
  asio::steady_timer deadline(socket_.get_executor(), kLingerTime);
  deadline.async_wait([this](error_code ec) {
    if (!ec) socket_.cancel(ec);
  });
  error_code ec;
  while (!ec) {
    buffer_.consume(buffer_.size());
    ec = co_await read_more();
  }
  deadline.cancel();
  socket_.close(ignored);
}

awaitable<error_code> Connection::read_more() {
  auto [ec, n] = co_await socket_.async_read_some(buffer_.prepare(kReadChunk), use_nothrow);
  buffer_.commit(n);
  co_return ec;
}

// Size of the next complete head in the buffer; nullopt when the connection is over.
awaitable<std::optional<std::size_t>> Connection::read_head() {
  while (true) {
    if (auto end = find_head_end(buffered())) co_return end;
    if (buffer_.size() >= kMaxHeadBytes) {
      state_.stats.requests.fetch_add(1, std::memory_order_relaxed);
      forget_request();
      co_await reply(431, "request head too large\n");
      co_return std::nullopt;
    }
    if (state_.draining.load(std::memory_order_relaxed) && buffer_.size() == 0) co_return std::nullopt;
    waiting_for_head_ = true;
    auto ec = co_await read_more();
    waiting_for_head_ = false;
    if (ec) co_return std::nullopt;
  }
}

awaitable<Connection::After> Connection::serve(std::size_t head_size) {
  head_text_.assign(buffered().substr(0, head_size));
  buffer_.consume(head_size);
  state_.stats.requests.fetch_add(1, std::memory_order_relaxed);
  forget_request();
  std::optional<BodyFraming> framing;
  if (parse_request_head(head_text_, request_.head)) framing = body_framing(request_.head);
  // Without a known body extent the connection cannot be reused: reply and close.
  if (!framing) {
    co_return co_await reply(400, "bad request\n");
  }
  request_.framing = *framing;
  request_.keep_alive = wants_keep_alive(request_.head);
  request_.is_head = request_.head.method == "HEAD";
  request_.expect_continue = request_.head.minor_version == 1 &&
                             request_.head.has_token("Expect", "100-continue");
  body_.emplace(*framing);
  body_done_ = false;
  continue_sent_ = false;
  co_return co_await (this->*find_route(request_.head.path()))();
}

// Resets the per-request state to "no body, close after replying" (field by
// field: the head's field array is large and mostly unused).
void Connection::forget_request() {
  request_.head.minor_version = 1;
  request_.head.field_count = 0;
  request_.framing = {};
  request_.keep_alive = false;
  request_.is_head = false;
  request_.expect_continue = false;
  body_done_ = true;
}

// A client that sent `Expect: 100-continue` waits for this before the body.
awaitable<error_code> Connection::send_continue_once() {
  if (!request_.expect_continue || continue_sent_ || request_.framing.kind == BodyKind::none)
    co_return error_code{};
  continue_sent_ = true;
  co_return co_await write("HTTP/1.1 100 Continue\r\n\r\n");
}

awaitable<error_code> Connection::next_body_piece(std::string_view& piece) {
  buffer_.consume(std::exchange(piece_in_buffer_, 0));
  piece = {};
  if (body_done_) co_return error_code{};
  auto ec = co_await send_continue_once();
  if (ec) co_return ec;
  while (true) {
    auto step = body_->next(buffered());
    buffer_.consume(step.skip);
    switch (step.status) {
      case BodyStatus::data:
        piece = buffered().substr(0, step.length);
        piece_in_buffer_ = step.length;
        co_return error_code{};
      case BodyStatus::done:
        body_done_ = true;
        co_return error_code{};
      case BodyStatus::bad:
        co_return beast::http::error::bad_chunk;
      case BodyStatus::need_more:
        ec = co_await read_more();
        if (ec) co_return ec;
        break;
    }
  }
}

awaitable<error_code> Connection::drain_body() {
  std::string_view piece;
  do {
    auto ec = co_await next_body_piece(piece);
    if (ec) co_return ec;
  } while (!piece.empty());
  co_return error_code{};
}

awaitable<error_code> Connection::write(std::string_view bytes) {
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(bytes), use_nothrow);
  co_return ec;
}

awaitable<error_code> Connection::write_body_piece(std::string_view piece, bool chunked) {
  if (request_.is_head || piece.empty()) co_return error_code{};
  if (!chunked) {
    co_return co_await write(piece);
  }
  std::array<char, 24> size_line{};
  auto end = fmt::format_to(size_line.data(), "{:x}\r\n", piece.size());
  std::array<asio::const_buffer, 3> chunk{
      asio::buffer(size_line.data(), end - size_line.data()), asio::buffer(piece), asio::buffer("\r\n", 2)};
  auto [ec, n] = co_await asio::async_write(socket_, chunk, use_nothrow);
  co_return ec;
}

// Ends a streamed response: the last chunk if chunked, then keep-alive or close.
awaitable<Connection::After> Connection::finish_body(bool chunked) {
  if (!chunked || request_.is_head) co_return after_response();
  auto ec = co_await write("0\r\n\r\n");
  co_return ec ? After::close : after_response();
}

void Connection::start_head(int status, std::string_view content_type) {
  // A draining backend answers what it started and takes nothing more.
  if (state_.draining.load(std::memory_order_relaxed)) request_.keep_alive = false;
  out_.clear();
  std::string_view reason = beast::http::obsolete_reason(static_cast<beast::http::status>(status));
  if (reason.starts_with('<')) reason = "Unassigned";  // Beast's "<unknown-status>"
  out_ += "HTTP/1.1 ";
  append_number(out_, static_cast<unsigned>(status));
  out_ += ' ';
  out_ += reason;
  out_ += "\r\n";
  // Lets a load driver tell versions apart without reading bodies.
  out_ += "X-Backend-Name: ";
  out_ += state_.name;
  out_ += "\r\n";
  if (!content_type.empty() && status_has_body(status)) {
    out_ += "Content-Type: ";
    out_ += content_type;
    out_ += "\r\n";
  }
  if (!request_.keep_alive) out_ += "Connection: close\r\n";
  else if (request_.head.minor_version == 0) out_ += "Connection: keep-alive\r\n";
}

void Connection::end_head_with_length(std::uint64_t length) {
  out_ += "Content-Length: ";
  append_number(out_, length);
  out_ += "\r\n\r\n";
}

void Connection::end_head_chunked() { out_ += "Transfer-Encoding: chunked\r\n\r\n"; }

// The whole response in one write. The request body is read first, so a client
// that sends everything before reading never deadlocks against us.
awaitable<Connection::After> Connection::reply(int status, std::string_view body,
                                               std::string_view content_type) {
  auto drained = co_await drain_body();
  if (drained) co_return After::close;
  start_head(status, content_type);
  if (!status_has_body(status)) out_ += "\r\n";
  else end_head_with_length(body.size());
  if (status_has_body(status) && !request_.is_head) out_ += body;
  auto written = co_await write(out_);
  if (written) co_return After::close;
  co_return after_response();
}

}  // namespace baton::test_backend
