#pragma once
// Body streaming, shared by the request and response directions. Included only
// by session_forward.cpp, which instantiates it for both parsers.
#include <charconv>
#include <utility>

#include "net/stream_receive.hpp"
#include "proxy/session.hpp"

namespace baton::proxy {
namespace pump_detail {
constexpr std::size_t kBodyReadSize = 64 * 1024;
// Bytes that may sit undecoded: a chunk-size line with extensions, or a trailer
// block. Beast bounds neither, so without this a peer could grow the buffer forever.
constexpr std::size_t kMaxUndecoded = 64 * 1024;
constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kLastChunk = "0\r\n\r\n";

inline std::string_view view(const beast::flat_buffer& b) {
  return {static_cast<const char*>(b.data().data()), b.size()};
}

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
}  // namespace pump_detail

// Streams one message body from `from` to `to` in bounded memory: one read,
// one gathered write, until the parser says the body is complete. `prefix` (a
// head) goes out with the first write and is cleared then: still set on return,
// nothing was written.
template <typename Parser>
awaitable<Session::PumpResult> Session::pump(Socket& from, beast::flat_buffer& in, Parser& parser, Socket& to,
                                             bool chunked_out, std::string_view& prefix, Phase write_phase,
                                             std::uint64_t& bytes, std::optional<std::uint64_t> max_bytes) {
  using namespace pump_detail;
  const auto& timeouts = service_->timeouts;
  BodyFramer framer;
  bool first_read = true;
  for (;;) {
    pieces_.clear();
    std::size_t used = in.size() > 0 ? parser.parse_body(view(in)) : 0;
    if (parser.failed()) co_return PumpResult::malformed;
    if (max_bytes && bytes + pieces_.bytes > *max_bytes) co_return PumpResult::too_large;
    bool done = parser.is_done();
    gather_.clear();
    if (!prefix.empty()) gather_.emplace_back(prefix.data(), prefix.size());
    framer.frame(gather_, pieces_, chunked_out, done);
    // Counted before the write: the response's last write carries its bytes into its count.
    bytes += pieces_.bytes;
    if (done && &to == &client_) count_exchange();
    if (!gather_.empty()) {
      arm(write_phase, write_phase == Phase::send ? timeouts.send : timeouts.body);
      auto [ec, n] = co_await asio::async_write(to, gather_, use_nothrow);
      if (ec) {
        bytes -= pieces_.bytes;
        co_return PumpResult::write_failed;
      }
      prefix = {};
    }
    in.consume(used);
    if (done) co_return PumpResult::done;
    if (in.size() > 0 && used > 0) continue;
    if (in.size() > kMaxUndecoded) co_return PumpResult::malformed;
    arm(Phase::body, timeouts.body);
    // The first read tries at once: the head read may have marked the socket
    // drained, and a reset that came with the head raised no event to wait for.
    auto [ec, n] = co_await net::read_some_trying_now(from, in.prepare(kBodyReadSize), first_read);
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
