#include "proxy/upstream_pool.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

namespace baton::proxy {
namespace {
using Clock = std::chrono::steady_clock;

class UpstreamPoolTest : public ::testing::Test {
 protected:
  // A pooled connection whose upstream end the test holds as `peer`.
  std::unique_ptr<UpstreamConnection> connection(int& peer, std::uint64_t target = 1) {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    peer = fds[1];
    peers_.push_back(peer);
    return std::make_unique<UpstreamConnection>(
        Socket(io_, asio::generic::stream_protocol(AF_UNIX, SOCK_STREAM), fds[0]), target);
  }
  void TearDown() override {
    for (int fd : peers_) ::close(fd);
  }
  // Runs handlers until the pool holds `count` idle connections (10 s at most).
  void run_until_idle_count(std::size_t count) {
    auto deadline = Clock::now() + std::chrono::seconds(10);
    io_.restart();
    while (pool_.idle_count() != count && Clock::now() < deadline) io_.run_one_for(std::chrono::milliseconds(50));
  }

  asio::io_context io_;
  UpstreamPool pool_{4, std::chrono::seconds(60)};
  std::vector<int> peers_;
};

TEST_F(UpstreamPoolTest, AConnectionTheUpstreamClosesWhileIdleIsEvictedAtOnce) {
  int peer;
  pool_.give_back(connection(peer), Clock::now());
  ASSERT_EQ(pool_.idle_count(), 1u);
  ::shutdown(peer, SHUT_WR);
  run_until_idle_count(0);
  EXPECT_EQ(pool_.idle_count(), 0u);
  EXPECT_EQ(pool_.take(1, Clock::now()), nullptr);
}

TEST_F(UpstreamPoolTest, StrayBytesOnAnIdleConnectionEvictIt) {
  int kept, noisy;
  pool_.give_back(connection(kept), Clock::now());
  pool_.give_back(connection(noisy), Clock::now());
  ASSERT_EQ(::write(noisy, "HTTP/1.1 200 OK\r\n\r\n", 19), 19);
  run_until_idle_count(1);
  ASSERT_EQ(pool_.idle_count(), 1u);
  // The quiet one is still there and clean: the next bytes it reads are its own.
  auto conn = pool_.take(1, Clock::now());
  ASSERT_NE(conn, nullptr);
  ASSERT_EQ(::write(kept, "ok", 2), 2);
  char buffer[8];
  auto n = conn->socket.read_some(asio::buffer(buffer));
  EXPECT_EQ(std::string(buffer, n), "ok");
}

TEST_F(UpstreamPoolTest, ATakenConnectionIsNoLongerWatched) {
  int peer;
  pool_.give_back(connection(peer), Clock::now());
  auto conn = pool_.take(1, Clock::now());
  ASSERT_NE(conn, nullptr);
  // The response to the taken connection's next request must not evict anything
  // or be consumed by the cancelled watch.
  ASSERT_EQ(::write(peer, "reply", 5), 5);
  io_.restart();
  io_.poll();
  EXPECT_FALSE(conn->spoke_while_idle);
  char buffer[8];
  auto n = conn->socket.read_some(asio::buffer(buffer));
  EXPECT_EQ(std::string(buffer, n), "reply");
  // Given back again, it is watched again.
  pool_.give_back(std::move(conn), Clock::now());
  ::close(peer);
  peers_.pop_back();
  run_until_idle_count(0);
  EXPECT_EQ(pool_.idle_count(), 0u);
}

TEST_F(UpstreamPoolTest, ConnectionsPastTheIdleTimeoutOrTheCapAreNotKept) {
  int a, b, c, d, e;
  auto now = Clock::now();
  for (int* peer : {&a, &b, &c, &d, &e}) pool_.give_back(connection(*peer), now);
  EXPECT_EQ(pool_.idle_count(), 4u);  // the fifth was over the cap
  EXPECT_EQ(pool_.take(1, now + std::chrono::seconds(61)), nullptr);
  EXPECT_EQ(pool_.idle_count(), 0u);
  EXPECT_EQ(pool_.take(2, now), nullptr);
}
}  // namespace
}  // namespace baton::proxy
