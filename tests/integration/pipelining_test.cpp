// Pipelined requests: answered in order; a malformed one ends the connection
// and nothing behind it reaches the backend.
#include "harness.hpp"

namespace baton::itest {
namespace {
class Pipelining : public ProxyTest {};

TEST_F(Pipelining, ThreeRequestsInOneWriteAreAnsweredInOrder) {
  auto& backend = start_backend("solo");
  auto port = start_proxy_to(backend);
  Client client(port);
  ASSERT_TRUE(client.send(get_request("/hello") + get_request("/name") +
                          "POST /echo HTTP/1.1\r\nHost: test.local\r\nContent-Length: 5\r\n\r\nthird"));
  for (std::string_view expected : {"hello", "solo", "third"}) {
    auto response = client.read_response();
    ASSERT_TRUE(response) << client.last_error();
    EXPECT_EQ(response->status, 200u);
    EXPECT_EQ(response->body, expected);
  }
  EXPECT_EQ(backend.stats().requests, 3u);
  // Still usable afterwards.
  auto response = client.get("/hello");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->body, "hello");
}

TEST_F(Pipelining, MalformedSecondRequestStopsTheConnection) {
  auto& backend = start_backend();
  auto port = start_proxy_to(backend);
  Client client(port);
  ASSERT_TRUE(client.send(get_request("/hello") +
                          "GET /hello HTTP/1.1\r\nHost: test.local\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n" +
                          get_request("/name")));
  auto first = client.read_response();
  ASSERT_TRUE(first) << client.last_error();
  EXPECT_EQ(first->status, 200u);
  EXPECT_EQ(first->body, "hello");
  auto second = client.read_response();
  ASSERT_TRUE(second) << client.last_error();
  EXPECT_EQ(second->status, 400u);
  EXPECT_FALSE(second->error_code().empty());
  EXPECT_FALSE(second->keep_alive);
  std::uint64_t trailing = 0;
  EXPECT_TRUE(client.wait_closed(kPatience, &trailing));
  EXPECT_EQ(trailing, 0u) << "bytes after the 400";
  EXPECT_EQ(backend.stats().requests, 1u) << "the request behind the malformed one reached the backend";
}
TEST_F(Pipelining, NothingIsServedAfterConnectionClose) {
  auto& backend = start_backend();
  auto port = start_proxy_to(backend);
  Client client(port);
  ASSERT_TRUE(client.send(get_request("/hello", "test.local", "Connection: close\r\n") + get_request("/name")));
  auto first = client.read_response();
  ASSERT_TRUE(first) << client.last_error();
  EXPECT_EQ(first->status, 200u);
  EXPECT_FALSE(first->keep_alive);
  std::uint64_t trailing = 0;
  EXPECT_TRUE(client.wait_closed(kPatience, &trailing));
  EXPECT_EQ(trailing, 0u);
  EXPECT_EQ(backend.stats().requests, 1u);
}

TEST_F(Pipelining, RequestBehindABodyIsParsedAfterTheBody) {
  auto& backend = start_backend();
  auto port = start_proxy_to(backend);
  Client client(port);
  // The body looks like a request; it must travel as body bytes only.
  std::string body = get_request("/name");
  ASSERT_TRUE(client.send("POST /echo HTTP/1.1\r\nHost: test.local\r\nContent-Length: " + std::to_string(body.size()) +
                          "\r\n\r\n" + body + get_request("/hello")));
  auto first = client.read_response();
  ASSERT_TRUE(first) << client.last_error();
  EXPECT_EQ(first->body, body);
  auto second = client.read_response();
  ASSERT_TRUE(second) << client.last_error();
  EXPECT_EQ(second->body, "hello");
  EXPECT_EQ(backend.stats().requests, 2u);
}
}  // namespace
}  // namespace baton::itest
