#include "net/stream_receive.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>

namespace baton::net {
namespace {
constexpr auto kPatience = std::chrono::seconds(10);

struct Result {
  error_code ec;
  std::size_t bytes = 0;
};

enum class Kind { tcp_with_hint, unix_socket };

// A connected TCP pair on loopback: {ours, peer}.
std::pair<int, int> tcp_pair() {
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof a;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listener, 1) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &length) != 0)
    return {-1, -1};
  int ours = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (::connect(ours, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return {-1, -1};
  int peer = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  ::close(listener);
  return {ours, peer};
}

// Every behaviour holds both with the kernel's queue hint (TCP) and without (unix).
class StreamReceiveTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (GetParam() == Kind::tcp_with_hint) {
      auto [ours, peer] = tcp_pair();
      ASSERT_GE(ours, 0);
      ASSERT_GE(peer, 0);
      socket_.emplace(io_, asio::generic::stream_protocol(AF_INET, IPPROTO_TCP), ours);
      enable_queue_hint(*socket_);
      peer_ = peer;
    } else {
      int fds[2];
      ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
      socket_.emplace(io_, asio::generic::stream_protocol(AF_UNIX, SOCK_STREAM), fds[0]);
      peer_ = fds[1];
    }
  }
  void TearDown() override {
    if (peer_ >= 0) ::close(peer_);
  }

  void peer_writes(std::string_view bytes) {
    ASSERT_EQ(::write(peer_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  void close_peer() {
    ::close(peer_);
    peer_ = -1;
  }

  // Starts a receive into `buffer_` that records its outcome in `result`.
  void receive(std::size_t size, std::optional<Result>& result) {
    async_receive_some(*socket_, asio::buffer(buffer_, size), [&result](error_code ec, std::size_t n) {
      result = Result{ec, n};
    });
  }
  // Receives once and waits for the outcome (kPatience at most).
  std::optional<Result> receive_now(std::size_t size = sizeof buffer_) {
    std::optional<Result> result;
    receive(size, result);
    run_until([&] { return result.has_value(); });
    return result;
  }
  std::string received(const Result& r) const { return std::string(buffer_, r.bytes); }
  // Parks an idle watch that records its outcome in `watched_`.
  void watch() {
    watch_idle(*socket_, byte_, signal_, [this](error_code ec, std::size_t n) { watched_ = Result{ec, n}; });
  }
  // Runs handlers until `done` holds, giving up after kPatience.
  template <typename Done>
  void run_until(Done done) {
    auto deadline = std::chrono::steady_clock::now() + kPatience;
    io_.restart();  // a context that ran out of work stays stopped until then
    while (!done() && std::chrono::steady_clock::now() < deadline) io_.run_one_for(std::chrono::milliseconds(50));
  }
  // Runs whatever is ready now, without waiting for new events.
  void run_ready() {
    io_.restart();
    auto guard = asio::make_work_guard(io_);  // without work, poll() would not even look at the reactor
    io_.poll();
  }

  asio::io_context io_;
  std::optional<StreamSocket> socket_;
  int peer_ = -1;
  char buffer_[64] = {};
  bool signal_ = false;
  char byte_ = 0;
  std::optional<Result> watched_;
};

TEST_P(StreamReceiveTest, AReceiveAfterAShortReadWaitsForTheNextBytesAndGetsThem) {
  peer_writes("first");
  auto first = receive_now();
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->ec);
  EXPECT_EQ(received(*first), "first");

  // The short read left the socket empty: the next receive waits...
  std::optional<Result> second;
  receive(sizeof buffer_, second);
  run_ready();
  EXPECT_FALSE(second);
  // ...and completes when bytes arrive afterwards.
  peer_writes("second");
  run_until([&] { return second.has_value(); });
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->ec);
  EXPECT_EQ(received(*second), "second");
}

TEST_P(StreamReceiveTest, BytesThatArriveBetweenReceivesAreNotMissed) {
  peer_writes("a");
  auto first = receive_now();
  ASSERT_TRUE(first);
  // Bytes come while no receive is pending; their event is seen by the reactor
  // before the next receive starts.
  peer_writes("b");
  run_ready();
  auto second = receive_now();
  ASSERT_TRUE(second);
  EXPECT_EQ(received(*second), "b");
}

TEST_P(StreamReceiveTest, AFullBufferLeavesTheRestToBeReadAtOnce) {
  peer_writes("0123456789");
  std::string got;
  for (int i = 0; i < 3; ++i) {
    auto r = receive_now(4);
    ASSERT_TRUE(r);
    ASSERT_FALSE(r->ec);
    got.append(buffer_, r->bytes);
  }
  EXPECT_EQ(got, "0123456789");
}

// A FIN that comes with the last bytes raises no event of its own once those
// bytes were read: the next read must still see it.
TEST_P(StreamReceiveTest, AnEndOfStreamThatCameWithTheLastBytesIsSeen) {
  peer_writes("bye");
  ::shutdown(peer_, SHUT_WR);
  auto last = receive_now();
  ASSERT_TRUE(last);
  EXPECT_FALSE(last->ec);
  EXPECT_EQ(received(*last), "bye");

  auto end = receive_now();
  ASSERT_TRUE(end);
  EXPECT_EQ(end->ec, asio::error::eof);
}

TEST_P(StreamReceiveTest, EndOfStreamAndCancelAreReported) {
  std::optional<Result> cancelled;
  receive(sizeof buffer_, cancelled);
  socket_->cancel();
  run_until([&] { return cancelled.has_value(); });
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->ec, asio::error::operation_aborted);

  close_peer();
  auto end = receive_now();
  ASSERT_TRUE(end);
  EXPECT_EQ(end->ec, asio::error::eof);
  EXPECT_EQ(end->bytes, 0u);
}

TEST_P(StreamReceiveTest, AnIdleWatchSignalsBytesAndLeavesThemQueued) {
  watch();
  run_ready();
  EXPECT_FALSE(watched_);
  EXPECT_FALSE(signal_);

  peer_writes("x");
  run_until([&] { return watched_.has_value(); });
  ASSERT_TRUE(watched_);
  EXPECT_FALSE(watched_->ec);
  EXPECT_TRUE(signal_);
  EXPECT_EQ(byte_, 'x');
  // The peek consumed nothing.
  auto read = receive_now();
  ASSERT_TRUE(read);
  EXPECT_EQ(received(*read), "x");
}

TEST_P(StreamReceiveTest, AnIdleWatchSignalsAClose) {
  watch();
  close_peer();
  run_until([&] { return watched_.has_value(); });
  ASSERT_TRUE(watched_);
  EXPECT_EQ(watched_->ec, asio::error::eof);
  EXPECT_TRUE(signal_);
}

TEST_P(StreamReceiveTest, ACancelledIdleWatchNeitherSignalsNorStealsTheNextBytes) {
  watch();
  socket_->cancel();
  run_until([&] { return watched_.has_value(); });
  ASSERT_TRUE(watched_);
  EXPECT_EQ(watched_->ec, asio::error::operation_aborted);

  peer_writes("reply");
  auto read = receive_now();
  ASSERT_TRUE(read);
  EXPECT_EQ(received(*read), "reply");
  EXPECT_FALSE(signal_);
}

TEST_P(StreamReceiveTest, AReceiveOnAClosedSocketFailsCleanly) {
  socket_->close();
  auto r = receive_now();
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->ec);
}

// The kernel's hint, which decides whether the next read waits for an event.
TEST(ReceiveWithHint, SaysDrainedOnlyWhenNeitherBytesNorAFinAreLeft) {
  auto [ours, peer] = tcp_pair();
  ASSERT_GE(ours, 0);
  int one = 1;
  ASSERT_EQ(::setsockopt(ours, SOL_TCP, TCP_INQ, &one, sizeof one), 0);
  char buffer[16];
  ASSERT_EQ(::write(peer, "0123456789", 10), 10);
  auto part = receive_detail::receive_with_hint(ours, asio::buffer(buffer, 4), 0, true);
  EXPECT_EQ(part.bytes, 4);
  EXPECT_FALSE(part.drained);  // six bytes are left
  auto rest = receive_detail::receive_with_hint(ours, asio::buffer(buffer), 0, true);
  EXPECT_EQ(rest.bytes, 6);
  EXPECT_TRUE(rest.drained);

  ASSERT_EQ(::write(peer, "bye", 3), 3);
  ::shutdown(peer, SHUT_WR);
  auto last = receive_detail::receive_with_hint(ours, asio::buffer(buffer), 0, true);
  EXPECT_EQ(last.bytes, 3);
  EXPECT_FALSE(last.drained);  // the FIN is left
  auto end = receive_detail::receive_with_hint(ours, asio::buffer(buffer), 0, true);
  EXPECT_EQ(end.bytes, 0);

  // Without asking, nothing is known.
  auto [a, b] = tcp_pair();
  ASSERT_EQ(::write(b, "x", 1), 1);
  auto unasked = receive_detail::receive_with_hint(a, asio::buffer(buffer), 0, false);
  EXPECT_EQ(unasked.bytes, 1);
  EXPECT_FALSE(unasked.drained);
  for (int fd : {ours, peer, a, b}) ::close(fd);
}

TEST(ReceiveNow, ReportsBytesNothingYetAndTheEnd) {
  asio::io_context io;
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  StreamSocket socket(io, asio::generic::stream_protocol(AF_UNIX, SOCK_STREAM), fds[0]);
  char buffer[8];
  error_code ec;
  EXPECT_EQ(receive_now(socket, asio::buffer(buffer), ec), 0u);
  EXPECT_EQ(ec, asio::error::would_block);
  ASSERT_EQ(::write(fds[1], "hi", 2), 2);
  EXPECT_EQ(receive_now(socket, asio::buffer(buffer), ec), 2u);
  EXPECT_FALSE(ec);
  ::close(fds[1]);
  EXPECT_EQ(receive_now(socket, asio::buffer(buffer), ec), 0u);
  EXPECT_EQ(ec, asio::error::eof);
}

INSTANTIATE_TEST_SUITE_P(Sockets, StreamReceiveTest, ::testing::Values(Kind::tcp_with_hint, Kind::unix_socket),
                         [](const auto& info) { return info.param == Kind::tcp_with_hint ? "Tcp" : "Unix"; });
}  // namespace
}  // namespace baton::net
