// Retries: a request that cannot have reached an app is retried on another
// target; one that may have reached it is not, unless it is idempotent and
// nothing came back.
#include <chrono>
#include <thread>

#include "harness.hpp"

namespace baton::itest {
namespace {
class Retry : public ProxyTest {
 protected:
  std::uint64_t total_requests(const std::vector<Backend*>& backends) {
    std::uint64_t n = 0;
    for (auto* b : backends) n += b->stats().requests;
    return n;
  }
  // A GET that must come back 200 with `body`; false when no response came at all.
  bool get_ok(Client& client, std::string_view path, std::string_view body) {
    auto response = client.get(path);
    EXPECT_TRUE(response) << client.last_error();
    if (!response) return false;
    EXPECT_EQ(response->status, 200u) << response->body;
    EXPECT_EQ(response->body, body);
    return true;
  }
  // A client of a proxy with `retries = 0` in front of one backend.
  Client client_without_retries() { return Client(start_proxy_to(start_backend(), "retries = 0\n")); }
};

TEST_F(Retry, DeadTargetIsSkippedForEveryRequest) {
  HeldPort dead;  // bound, not listening: connections are refused
  auto& live = start_backend("live");
  auto port = start_baton(app_config({dead.address(), live.address()})).port();
  for (int i = 0; i < 10; ++i) {
    Client client(port);  // new connections, so no request rides on a pooled upstream
    auto response = client.get("/name");
    ASSERT_TRUE(response) << client.last_error();
    EXPECT_EQ(response->status, 200u) << response->body;
    EXPECT_EQ(response->body, "live");
  }
  EXPECT_EQ(live.stats().requests, 10u);
}

TEST_F(Retry, AllTargetsDeadGets502) {
  HeldPort dead1, dead2;
  auto port = start_baton(app_config({dead1.address(), dead2.address()})).port();
  Client client(port);
  auto response = client.get("/hello");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 502u);
  EXPECT_EQ(response->error_code(), "upstream_unreachable");
  // A GET without a body leaves the connection usable.
  response = client.get("/hello");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 502u);
}

TEST_F(Retry, PostWithBodyThatGetsResetIsNotRetried) {
  auto& a = start_backend("a");
  auto& b = start_backend("b");
  auto port = start_baton(app_config({a.address(), b.address()}, "retries = 2\n")).port();
  Client client(port);
  ASSERT_TRUE(client.send("POST /reset HTTP/1.1\r\nHost: test.local\r\nContent-Length: 5\r\n\r\nhello"));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 502u);
  EXPECT_FALSE(response->error_code().empty());
  EXPECT_EQ(total_requests({&a, &b}), 1u) << "a POST was sent twice";
}

TEST_F(Retry, PostWithoutBodyThatGetsResetIsNotRetried) {
  auto& a = start_backend("a");
  auto& b = start_backend("b");
  auto port = start_baton(app_config({a.address(), b.address()}, "retries = 2\n")).port();
  Client client(port);
  ASSERT_TRUE(client.send("POST /reset HTTP/1.1\r\nHost: test.local\r\nContent-Length: 0\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 502u);
  EXPECT_FALSE(response->error_code().empty());
  EXPECT_EQ(total_requests({&a, &b}), 1u) << "a POST was sent twice";
}

// Nothing came back and GET is idempotent: each target is tried once.
TEST_F(Retry, GetThatGetsResetIsTriedOnEachTargetOnce) {
  auto& a = start_backend("a");
  auto& b = start_backend("b");
  auto port = start_baton(app_config({a.address(), b.address()}, "retries = 2\n")).port();
  Client client(port);
  auto response = client.get("/reset");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 502u);
  EXPECT_EQ(a.stats().requests, 1u);
  EXPECT_EQ(b.stats().requests, 1u);
  // Both targets were reached; the error should say how the last attempt failed.
  EXPECT_EQ(response->error_code(), "upstream_reset");
}

TEST_F(Retry, RetriesZeroMeansOneAttempt) {
  auto& a = start_backend("a");
  auto& b = start_backend("b");
  auto port = start_baton(app_config({a.address(), b.address()}, "retries = 0\n")).port();
  Client client(port);
  auto response = client.get("/reset");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 502u);
  EXPECT_EQ(total_requests({&a, &b}), 1u);
}

// A backend that answers and closes (Connection: close) must not leave a dead
// connection in the pool: the next request still succeeds.
TEST_F(Retry, UpstreamCloseAfterResponseIsNotReused) {
  auto& backend = start_backend();
  auto port = start_proxy_to(backend, "retries = 0\n");
  Client client(port);
  for (int i = 0; i < 5; ++i) {
    auto response = client.get("/close");
    ASSERT_TRUE(response) << client.last_error();
    EXPECT_EQ(response->status, 200u);
    EXPECT_EQ(response->body, "close");
    EXPECT_TRUE(response->keep_alive) << "the upstream's Connection: close is hop-by-hop";
  }
  EXPECT_EQ(backend.stats().connections, 5u);
}

// An upstream that closes a keep-alive connection right behind its response, without saying
// so: the pooled connection is dead when the next request comes. A GET never fails, even with
// retries off: the pool's idle watch evicts the connection, or, when the close races the
// reuse, the GET meets it dead and is sent again on a fresh connection without that counting
// as a retry. (A POST in that race gets a 502: it may have reached the app, so it is not re-sent.)
TEST_F(Retry, AConnectionClosedWithoutNoticeCostsNoGet) {
  auto client = client_without_retries();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(get_ok(client, "/quiet-close", "quiet"));
    ASSERT_TRUE(get_ok(client, "/hello", "hello"));
  }
}

// Bytes an upstream sends on a connection after its response (here a whole second response)
// never reach the next client the connection would have served.
TEST_F(Retry, StrayBytesOnAnIdleConnectionNeverReachTheNextClient) {
  auto client = client_without_retries();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(get_ok(client, "/stray", "first"));
    std::this_thread::sleep_for(std::chrono::milliseconds(150));  // the stray response arrives meanwhile
    ASSERT_TRUE(get_ok(client, "/hello", "hello"));
  }
}

// A pooled connection whose upstream reset it right behind its last response is either evicted
// by its idle watch or, when the reset came with the response's last bytes and raised no event of
// its own, refuses the next request's first byte. That request reached no app, so it is sent again
// on a fresh connection, a POST too, and without counting against `retries`. (A reset that comes
// after the POST left may mean the app saw it: that case gets a 502 by design, so the test waits
// for the reset to land first.)
TEST_F(Retry, ARequestADeadPooledConnectionRefusesIsSentAgainWhateverItsMethod) {
  auto client = client_without_retries();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(get_ok(client, "/reset-after-reply", "then reset"));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ASSERT_TRUE(client.send("POST /hello HTTP/1.1\r\nHost: test.local\r\nContent-Length: 0\r\n\r\n"));
    auto response = client.read_response();
    ASSERT_TRUE(response) << client.last_error();
    EXPECT_EQ(response->status, 200u) << response->body;
    EXPECT_EQ(response->body, "hello");
  }
}
}  // namespace
}  // namespace baton::itest
