// Every deadline, exercised with short configured timeouts. Assertions are on
// what happens when a deadline passes (status, error code, connection closed),
// never on how long it took.
#include <fmt/format.h>

#include <thread>

#include "harness.hpp"

namespace baton::itest {
namespace {
constexpr std::string_view kShortTimeouts =
    "[proxy.timeouts]\n"
    "header = \"300ms\"\n"
    "keepalive = \"300ms\"\n"
    "connect = \"300ms\"\n"
    "response = \"300ms\"\n"
    "body = \"300ms\"\n"
    "send = \"300ms\"\n";

class Timeouts : public ProxyTest {
 protected:
  void SetUp() override {
    ProxyTest::SetUp();
    if (IsSkipped()) return;
    backend_ = &start_backend();
    port_ = start_proxy_to(*backend_, "retries = 0\n", kShortTimeouts);
  }

  void expect_still_serving() {
    Client other(port_);
    auto response = other.get("/hello");
    ASSERT_TRUE(response) << other.last_error();
    EXPECT_EQ(response->status, 200u);
  }

  Backend* backend_ = nullptr;
  std::uint16_t port_ = 0;
};

TEST_F(Timeouts, IncompleteHeadGets408AndClose) {
  Client client(port_);
  ASSERT_TRUE(client.send("GET /hello HTTP/1.1\r\nHost: test.local\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 408u);
  EXPECT_EQ(response->error_code(), "request_timeout");
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(backend_->stats().requests, 0u);
  expect_still_serving();
}

TEST_F(Timeouts, SilentNewConnectionIsClosed) {
  Client client(port_);
  std::uint64_t received = 0;
  EXPECT_TRUE(client.wait_closed(kPatience, &received));
  EXPECT_EQ(received, 0u);
}

TEST_F(Timeouts, IdleKeepAliveConnectionIsClosedQuietly) {
  Client client(port_);
  auto response = client.get("/hello");
  ASSERT_TRUE(response) << client.last_error();
  ASSERT_EQ(response->status, 200u);
  ASSERT_TRUE(response->keep_alive);
  std::uint64_t received = 0;
  EXPECT_TRUE(client.wait_closed(kPatience, &received));
  EXPECT_EQ(received, 0u) << "an idle close needs no response";
}

TEST_F(Timeouts, UpstreamThatNeverAnswersGets504) {
  Client client(port_);
  auto response = client.get("/hang");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 504u);
  EXPECT_EQ(response->error_code(), "upstream_timeout");
  EXPECT_FALSE(response->keep_alive);
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(backend_->stats().requests, 1u) << "a timed-out request must not be retried";
  EXPECT_TRUE(eventually([&] { return backend_->stats().open == 0; })) << "the upstream connection was kept";
  expect_still_serving();
}

// The target's accept queue is full, so the kernel drops its SYNs: the connect
// neither succeeds nor fails until Baton's deadline.
TEST_F(Timeouts, UnresponsiveTargetGetsAProxyError) {
  constexpr int kBacklog = 1;
  HeldPort blackhole;
  blackhole.listen(kBacklog);
  std::vector<Client> fillers;
  while (blackhole.accept_queue_length() <= kBacklog) {
    auto queued = blackhole.accept_queue_length();
    ASSERT_TRUE(fillers.emplace_back(blackhole.port()).connected());
    ASSERT_TRUE(eventually([&] { return blackhole.accept_queue_length() > queued; }));
  }
  auto port = start_baton(app_config({blackhole.address()}, "retries = 0\n", kShortTimeouts)).port();
  Client client(port);
  auto response = client.get("/hello");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_TRUE(response->status == 502 || response->status == 504) << response->status;
  EXPECT_FALSE(response->error_code().empty());
}

TEST_F(Timeouts, StalledRequestBodyEndsTheExchange) {
  Client client(port_);
  ASSERT_TRUE(client.send("POST /upload HTTP/1.1\r\nHost: test.local\r\nContent-Length: 1000\r\n\r\n" +
                          std::string(500, 'x')));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 408u);
  EXPECT_EQ(response->error_code(), "body_timeout");
  EXPECT_TRUE(client.wait_closed());
  EXPECT_TRUE(eventually([&] { return backend_->stats().open == 0; })) << "the upstream connection was kept";
  expect_still_serving();
}

TEST_F(Timeouts, ClientThatStopsReadingIsCut) {
  constexpr std::uint64_t kSize = 256ull << 20;  // far more than every socket buffer on the way
  Client client(port_);
  ASSERT_TRUE(client.send(get_request(fmt::format("/download?bytes={}", kSize))));
  ASSERT_TRUE(eventually([&] { return backend_->stats().requests == 1; }));
  // Baton gives up on the client and drops the upstream connection with it.
  EXPECT_TRUE(eventually([&] { return backend_->stats().open == 0; })) << "baton still relays the download";
  expect_still_serving();
  std::uint64_t received = 0;
  EXPECT_TRUE(client.wait_closed(kPatience, &received));
  EXPECT_LT(received, kSize);
}
// The response head arrived, then the upstream went quiet: the client's
// connection is cut rather than left waiting or finished as if complete.
TEST_F(Timeouts, UpstreamStallingMidBodyCutsTheClient) {
  Client client(port_);
  ASSERT_TRUE(client.send(get_request("/drip?chunks=3&ms=5000")));
  auto response = client.read_response();
  EXPECT_FALSE(response) << "a response cut short was completed: status " << response->status;
  EXPECT_TRUE(client.wait_closed()) << client.last_error();
  expect_still_serving();
}

// Chunks that keep coming within the idle timeout are fine, however long the whole takes.
TEST_F(Timeouts, SlowButSteadyResponseCompletes) {
  Client client(port_);
  auto response = client.get("/drip?chunks=5&ms=50");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->body, "drip 0\ndrip 1\ndrip 2\ndrip 3\ndrip 4\n");
}
// A head trickled in byte by byte, each gap shorter than the header timeout:
// the deadline covers the whole head, so the request never gets through.
TEST_F(Timeouts, TrickledHeadIsCutByTheHeadDeadline) {
  const std::string head = "GET /hello HTTP/1.1\r\nHost: test.local\r\nX-Slow: " + std::string(40, 'z');
  Client client(port_);
  for (char c : head) {
    if (!client.send(std::string_view(&c, 1))) break;  // cut already
    std::this_thread::sleep_for(50ms);  // the client behaviour under test, not synchronisation
  }
  client.send("\r\n\r\n");
  if (auto response = client.read_response()) {
    EXPECT_EQ(response->status, 408u);
    EXPECT_EQ(response->error_code(), "request_timeout");
  }
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(backend_->stats().requests, 0u);
}
}  // namespace
}  // namespace baton::itest
