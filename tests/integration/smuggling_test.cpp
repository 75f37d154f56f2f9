// Request smuggling shapes, end to end: Baton answers 400 (or 501), closes the
// connection, and the backend never sees a byte of the request.
#include "harness.hpp"

namespace baton::itest {
namespace {
using namespace std::string_view_literals;

struct Shape {
  const char* name;
  std::string_view bytes;
  unsigned status = 400;
};

const Shape kShapes[] = {
    {"ContentLengthAndChunked",
     "POST /echo HTTP/1.1\r\nHost: test.local\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
     "0\r\n\r\n"},
    {"ChunkedAndContentLength",
     "POST /echo HTTP/1.1\r\nHost: test.local\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
     "0\r\n\r\n"},
    {"TwoContentLengths",
     "POST /echo HTTP/1.1\r\nHost: test.local\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"},
    {"ContentLengthList", "POST /echo HTTP/1.1\r\nHost: test.local\r\nContent-Length: 5, 5\r\n\r\nhello"},
    {"SignedContentLength", "POST /echo HTTP/1.1\r\nHost: test.local\r\nContent-Length: +5\r\n\r\nhello"},
    {"TransferEncodingGzip",
     "POST /echo HTTP/1.1\r\nHost: test.local\r\nTransfer-Encoding: gzip\r\n\r\nhello"},
    {"TransferEncodingChunkedTwice",
     "POST /echo HTTP/1.1\r\nHost: test.local\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
     "0\r\n\r\n"},
    {"TransferEncodingGzipChunked",
     "POST /echo HTTP/1.1\r\nHost: test.local\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501},
    {"TransferEncodingInHttp10",
     "POST /echo HTTP/1.0\r\nHost: test.local\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
    {"ObsFold", "GET /hello HTTP/1.1\r\nHost: test.local\r\nX-Folded: a\r\n b\r\n\r\n"},
    {"SpaceBeforeColon", "GET /hello HTTP/1.1\r\nHost: test.local\r\nContent-Length : 5\r\n\r\nhello"},
    {"MissingHost", "GET /hello HTTP/1.1\r\n\r\n"},
    {"TwoHosts", "GET /hello HTTP/1.1\r\nHost: test.local\r\nHost: other.local\r\n\r\n"},
    {"HostWithSpace", "GET /hello HTTP/1.1\r\nHost: test local\r\n\r\n"},
    {"HostWithSlash", "GET /hello HTTP/1.1\r\nHost: test.local/evil\r\n\r\n"},
    {"HostWithUserinfo", "GET /hello HTTP/1.1\r\nHost: user@test.local\r\n\r\n"},
    {"AbsoluteFormWithUserinfo", "GET http://user@test.local/hello HTTP/1.1\r\nHost: test.local\r\n\r\n"},
    {"Http20RequestLine", "GET /hello HTTP/2.0\r\nHost: test.local\r\n\r\n"},
    {"Http2Preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"},
    {"Http09Request", "GET /hello\r\n\r\n"},
    {"NulInHeaderValue", "GET /hello HTTP/1.1\r\nHost: test.local\r\nX-A: a\0b\r\n\r\n"sv},
    {"BareCarriageReturn", "GET /hello HTTP/1.1\r\nHost: test.local\r\nX-A: a\rb\r\n\r\n"},
    {"SpaceInTarget", "GET /hel lo HTTP/1.1\r\nHost: test.local\r\n\r\n"},
    {"RelativeTarget", "GET hello HTTP/1.1\r\nHost: test.local\r\n\r\n"},
    {"Connect", "CONNECT test.local:443 HTTP/1.1\r\nHost: test.local:443\r\n\r\n", 501},
    {"WebSocketPost",
     "POST /ws HTTP/1.1\r\nHost: test.local\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
     "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nContent-Length: 0\r\n\r\n"},
    {"UnknownExpectation", "GET /hello HTTP/1.1\r\nHost: test.local\r\nExpect: 200-ok\r\n\r\n", 417},
};

class Smuggling : public ProxyTest, public ::testing::WithParamInterface<Shape> {};

TEST_P(Smuggling, RefusedAndClosedBeforeTheBackend) {
  auto& backend = start_backend();
  auto port = start_proxy_to(backend);
  Client client(port);
  ASSERT_TRUE(client.send(GetParam().bytes)) << client.last_error();
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, GetParam().status) << response->body;
  EXPECT_FALSE(response->error_code().empty()) << "no X-Baton-Error";
  EXPECT_FALSE(response->keep_alive);
  EXPECT_TRUE(client.wait_closed()) << "connection left open";
  EXPECT_EQ(backend.stats().requests, 0u) << "the backend received the request";
}

INSTANTIATE_TEST_SUITE_P(Shapes, Smuggling, ::testing::ValuesIn(kShapes),
                         [](const auto& info) { return std::string(info.param.name); });

// A chunked body with a broken chunk size: the head may already be upstream,
// but the client gets a 400 and the connection ends.
class BadChunks : public ProxyTest {};

TEST_F(BadChunks, MalformedChunkSizeEndsTheConnection) {
  auto& backend = start_backend();
  auto port = start_proxy_to(backend);
  Client client(port);
  ASSERT_TRUE(client.send(
      "POST /echo HTTP/1.1\r\nHost: test.local\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n" +
      get_request("/hello")));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 400u);
  EXPECT_FALSE(response->error_code().empty());
  EXPECT_TRUE(client.wait_closed());
  EXPECT_LE(backend.stats().requests, 1u) << "the request behind the bad body was forwarded";
}

TEST_F(BadChunks, ChunkSizeOverflowEndsTheConnection) {
  auto& backend = start_backend();
  auto port = start_proxy_to(backend);
  Client client(port);
  ASSERT_TRUE(client.send(
      "POST /echo HTTP/1.1\r\nHost: test.local\r\nTransfer-Encoding: chunked\r\n\r\n"
      "10000000000000005\r\nhello\r\n0\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 400u);
  EXPECT_TRUE(client.wait_closed());
}
TEST_F(BadChunks, FramingFieldInTrailerEndsTheConnection) {
  auto& backend = start_backend();
  auto port = start_proxy_to(backend);
  Client client(port);
  ASSERT_TRUE(client.send(
      "POST /echo HTTP/1.1\r\nHost: test.local\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n0\r\nContent-Length: 50\r\n\r\n" +
      get_request("/hello")));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 400u);
  EXPECT_TRUE(client.wait_closed());
  EXPECT_LE(backend.stats().requests, 1u);
}
}  // namespace
}  // namespace baton::itest
