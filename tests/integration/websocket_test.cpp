// WebSocket upgrades through the proxy: a byte tunnel after the 101.
#include "harness.hpp"

namespace baton::itest {
namespace {
class WebSocket : public ProxyTest {
 protected:
  void SetUp() override {
    ProxyTest::SetUp();
    if (IsSkipped()) return;
    backend_ = &start_backend();
    port_ = start_proxy_to(*backend_);
  }

  Backend* backend_ = nullptr;
  std::uint16_t port_ = 0;
};

TEST_F(WebSocket, EchoesTextAndBinaryMessages) {
  WsClient ws;
  ASSERT_TRUE(ws.connect(port_, "/ws")) << ws.last_error();
  std::string binary(70'000, '\0');
  for (std::size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 7);
  const std::vector<WsMessage> messages{{"hello", true}, {binary, false}, {"", true}, {"third", true},
                                        {std::string(3, '\xff'), false}};
  for (const auto& sent : messages) {
    ASSERT_TRUE(ws.write(sent.data, sent.text)) << ws.last_error();
    auto echoed = ws.read();
    ASSERT_TRUE(echoed) << ws.last_error();
    EXPECT_EQ(echoed->text, sent.text);
    EXPECT_EQ(echoed->data, sent.data);
  }
  EXPECT_TRUE(ws.close()) << ws.last_error();
}

TEST_F(WebSocket, SeveralMessagesInFlight) {
  WsClient ws;
  ASSERT_TRUE(ws.connect(port_, "/ws")) << ws.last_error();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(ws.write("message " + std::to_string(i), true)) << ws.last_error();
  for (int i = 0; i < 20; ++i) {
    auto echoed = ws.read();
    ASSERT_TRUE(echoed) << ws.last_error();
    EXPECT_EQ(echoed->data, "message " + std::to_string(i));
  }
  EXPECT_TRUE(ws.close()) << ws.last_error();
}

TEST_F(WebSocket, TwoTunnelsAtOnceStayApart) {
  WsClient first, second;
  ASSERT_TRUE(first.connect(port_, "/ws")) << first.last_error();
  ASSERT_TRUE(second.connect(port_, "/ws")) << second.last_error();
  ASSERT_TRUE(first.write("one", true));
  ASSERT_TRUE(second.write("two", true));
  auto a = first.read();
  auto b = second.read();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->data, "one");
  EXPECT_EQ(b->data, "two");
}

TEST_F(WebSocket, HandshakeWithoutKeyGets400) {
  Client client(port_);
  ASSERT_TRUE(client.send(
      "GET /ws HTTP/1.1\r\nHost: test.local\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 400u);
  EXPECT_FALSE(response->error_code().empty());
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(backend_->stats().requests, 0u);
}

TEST_F(WebSocket, HandshakeWithWrongVersionGets400) {
  Client client(port_);
  ASSERT_TRUE(client.send(
      "GET /ws HTTP/1.1\r\nHost: test.local\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
      "Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 400u);
  EXPECT_EQ(backend_->stats().requests, 0u);
}

// The raw 101 as the client sees it: Upgrade fields present, no body framing.
TEST_F(WebSocket, SwitchingProtocolsHeadIsClean) {
  Client client(port_);
  ASSERT_TRUE(client.send(
      "GET /ws HTTP/1.1\r\nHost: test.local\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n"
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 101u);
  EXPECT_EQ(response->header("Sec-WebSocket-Accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(response->count("Upgrade"), 1u);
  EXPECT_EQ(response->count("Connection"), 1u);
  EXPECT_EQ(response->count("Content-Length"), 0u);
  EXPECT_EQ(response->count("Transfer-Encoding"), 0u);
}
// The backend answers the upgrade request with a plain response: no tunnel, and
// the connection carries on as HTTP.
TEST_F(WebSocket, DeclinedUpgradeIsAnOrdinaryResponse) {
  Client client(port_);
  ASSERT_TRUE(client.send(
      "GET /hello HTTP/1.1\r\nHost: test.local\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->body, "hello");
  if (response->keep_alive) {
    auto next = client.get("/name");
    ASSERT_TRUE(next) << client.last_error();
    EXPECT_EQ(next->status, 200u);
  } else {
    EXPECT_TRUE(client.wait_closed());
  }
}
}  // namespace
}  // namespace baton::itest
