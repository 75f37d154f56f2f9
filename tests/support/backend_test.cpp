// Black-box tests of the baton-test-backend binary: the integration tests and
// benchmarks rely on every endpoint behaving exactly as documented.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>

#include "backend_process.hpp"

namespace baton::test_backend {
namespace {
namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;

std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

class Backend : public ::testing::Test {
 protected:
  BackendProcess backend_{{"--listen", "127.0.0.1:0", "--name", "alpha"}};
  HttpClient connect() { return HttpClient(backend_.port()); }
};

TEST_F(Backend, AnnouncesItsAddressAndExitsCleanlyOnSigterm) {
  EXPECT_TRUE(backend_.listening_line().starts_with("listening 127.0.0.1:"));
  EXPECT_NE(backend_.port(), 0);
  EXPECT_EQ(backend_.stop(), 0);
}

TEST_F(Backend, HelloAndNameOnOneKeptAliveConnection) {
  auto client = connect();
  auto hello = client.get("/hello");
  EXPECT_EQ(hello.result_int(), 200);
  EXPECT_EQ(hello.body(), "hello");
  EXPECT_EQ(hello[http::field::content_length], "5");
  EXPECT_EQ(client.get("/name").body(), "alpha");
  EXPECT_EQ(client.get("/nowhere").result_int(), 404);
}

TEST_F(Backend, HeadersReturnsTheRawHead) {
  auto client = connect();
  std::string head = "GET /headers?q=1 HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 1.2.3.4\r\nX-Odd:  v \r\n\r\n";
  client.send(head);
  EXPECT_EQ(client.read_response().body(), head);
}

TEST_F(Backend, EchoKeepsTheFramingOfTheRequest) {
  auto client = connect();
  client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  auto sized = client.read_response();
  EXPECT_EQ(sized.body(), "hello");
  EXPECT_EQ(sized[http::field::content_length], "5");
  client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
              "3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\nT: 1\r\n\r\n");
  auto chunked = client.read_response();
  EXPECT_EQ(chunked.body(), "abcdefg");
  EXPECT_TRUE(chunked.chunked());
}

TEST_F(Backend, EchoStreamsLargeBodiesInBoundedMemory) {
  constexpr std::size_t kBody = 256u << 20;
  auto client = connect();
  client.get("/hello");
  [[maybe_unused]] auto rss_before = backend_.peak_rss_kib();
  std::string block = pattern(1 << 20);
  std::thread writer([&] {
    client.send("PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(kBody) + "\r\n\r\n");
    for (std::size_t sent = 0; sent < kBody; sent += block.size()) client.send(block);
  });
  auto echoed = client.read_response();
  writer.join();
  EXPECT_EQ(echoed.body().size(), kBody);
  EXPECT_EQ(fnv1a(echoed.body().substr(0, block.size())), fnv1a(block));
#if !defined(BATON_SANITIZED)  // ASan's quarantine keeps freed memory resident
  EXPECT_LT(backend_.peak_rss_kib() - rss_before, 16u * 1024) << "the body must stream, not be buffered";
#endif
}

TEST_F(Backend, UploadCountsAndHashes) {
  auto client = connect();
  std::string body = pattern(100000);
  client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + body);
  auto expected = "{\"bytes\":100000,\"sum\":" + std::to_string(fnv1a(body)) + "}";
  EXPECT_EQ(client.read_response().body(), expected);
  client.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n");
  EXPECT_EQ(client.read_response().body(), "{\"bytes\":3,\"sum\":" + std::to_string(fnv1a("abc")) + "}");
}

TEST_F(Backend, DownloadServesThePattern) {
  auto client = connect();
  auto sized = client.get("/download?bytes=200000");
  EXPECT_EQ(sized.body(), pattern(200000));
  EXPECT_FALSE(sized.chunked());
  auto chunked = client.get("/download?bytes=70000&chunked=1");
  EXPECT_EQ(chunked.body(), pattern(70000));
  EXPECT_TRUE(chunked.chunked());
}

TEST_F(Backend, StatusCodesAndHead) {
  auto client = connect();
  EXPECT_EQ(client.get("/status/503").result_int(), 503);
  client.send("GET /status/204 HTTP/1.1\r\nHost: x\r\n\r\nHEAD /download?bytes=10 HTTP/1.1\r\nHost: x\r\n\r\n");
  auto no_content = client.read_response();
  EXPECT_EQ(no_content.result_int(), 204);
  EXPECT_EQ(no_content.count(http::field::content_length), 0u);
  auto head = client.read_response(true);
  EXPECT_EQ(head[http::field::content_length], "10");
  // Nothing follows the HEAD response: the next reply parses cleanly.
  EXPECT_EQ(client.get("/hello").body(), "hello");
}

TEST_F(Backend, SlowAndDrip) {
  auto client = connect();
  EXPECT_EQ(client.get("/slow?ms=10").body(), "slow");
  auto drip = client.get("/drip?chunks=3&ms=1");
  EXPECT_TRUE(drip.chunked());
  EXPECT_EQ(drip.body(), "drip 0\ndrip 1\ndrip 2\n");
}

TEST_F(Backend, CloseAndResetEndTheConnection) {
  auto closing = connect();
  auto reply = closing.get("/close");
  EXPECT_EQ(reply[http::field::connection], "close");
  EXPECT_EQ(closing.read_error(), asio::error::eof);
  auto resetting = connect();
  resetting.send("GET /reset HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(resetting.read_error(), asio::error::connection_reset);
}

TEST_F(Backend, StatsCountRequestsAndConnections) {
  auto client = connect();
  // The reset request is counted, then zeroed with the rest.
  EXPECT_EQ(client.get("/stats/reset").body(), R"({"requests":0,"connections":0,"open":1})");
  client.get("/hello");
  EXPECT_EQ(client.get("/stats").body(), R"({"requests":2,"connections":0,"open":1})");
  auto second = connect();
  EXPECT_EQ(second.get("/nowhere").result_int(), 404);
  EXPECT_EQ(client.get("/stats").body(), R"({"requests":4,"connections":1,"open":2})");
}

TEST_F(Backend, HangNeverAnswers) {
  auto client = connect();
  client.send("GET /hang HTTP/1.1\r\nHost: x\r\n\r\n");
  client.close_send();  // the backend sees the peer leave, and closes without a byte
  EXPECT_EQ(client.read_until_close(), "");
}

TEST_F(Backend, RefusesSmugglingShapesAndCloses) {
  for (std::string_view fields : {"Content-Length: 1\r\nTransfer-Encoding: chunked\r\n",
                                  "Content-Length: 1\r\nContent-Length: 2\r\n"}) {
    auto client = connect();
    client.send("POST /hello HTTP/1.1\r\nHost: x\r\n" + std::string(fields) + "\r\n");
    auto reply = client.read_response();
    EXPECT_EQ(reply.result_int(), 400);
    EXPECT_EQ(client.read_error(), asio::error::eof);
  }
}

TEST_F(Backend, AnswersPipelinedRequestsInOrder) {
  auto client = connect();
  client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /name HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.read_response().body(), "abc");
  EXPECT_EQ(client.read_response().body(), "alpha");
}

TEST_F(Backend, SendsContinueWhenAsked) {
  auto client = connect();
  client.send("POST /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
  EXPECT_EQ(client.read_response(true).result_int(), 100);
  client.send("abc");
  EXPECT_EQ(client.read_response().result_int(), 200);
}

TEST_F(Backend, MisbehavesOnRequest) {
  std::pair<std::string_view, std::string_view> cases[] = {
      {"/bad/cl-te", "Transfer-Encoding: chunked"}, {"/bad/two-cl", "Content-Length: 6"},
      {"/bad/garbage", "not HTTP"},                 {"/bad/short", "\r\n\r\n0123456789"},
      {"/bad/chunk", "zz\r\n"},                     {"/bad/204-body", "204 No Content"}};
  for (auto [path, expected] : cases) {
    auto client = connect();
    client.send("GET " + std::string(path) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_NE(client.read_until_close().find(expected), std::string::npos) << path;
  }
  auto client = connect();
  client.send("HEAD /bad/head-body HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(client.read_until_close().ends_with("\r\n\r\nhello"));
}

TEST_F(Backend, WebSocketEchoesTextAndBinary) {
  asio::io_context io;
  websocket::stream<asio::ip::tcp::socket> ws(io);
  ws.next_layer().connect({asio::ip::make_address("127.0.0.1"), backend_.port()});
  ws.handshake("127.0.0.1", "/ws");
  boost::beast::flat_buffer buffer;
  ws.text(true);
  ws.write(asio::buffer(std::string_view("hi there")));
  ws.read(buffer);
  EXPECT_TRUE(ws.got_text());
  EXPECT_EQ(boost::beast::buffers_to_string(buffer.data()), "hi there");
  buffer.consume(buffer.size());
  ws.binary(true);
  ws.write(asio::buffer(std::string_view("\x00\x01\x02", 3)));
  ws.read(buffer);
  EXPECT_TRUE(ws.got_binary());
  EXPECT_EQ(buffer.size(), 3u);
  ws.close(websocket::close_code::normal);
}

TEST_F(Backend, EveryResponseNamesTheBackend) {
  auto client = connect();
  for (std::string_view target : {"/hello", "/status/503", "/nowhere", "/download?bytes=3&chunked=1"})
    EXPECT_EQ(client.get(target)["X-Backend-Name"], "alpha") << target;
}

TEST_F(Backend, HealthIsOkByDefault) {
  auto health = connect().get("/health");
  EXPECT_EQ(health.result_int(), 200);
  EXPECT_EQ(health.body(), "ok");
}

TEST_F(Backend, FinishesInFlightRequestsOnSigtermAndClosesIdleOnes) {
  auto busy = connect();
  auto idle = connect();
  EXPECT_EQ(idle.get("/hello").result_int(), 200);
  busy.send("GET /slow?ms=1000 HTTP/1.1\r\nHost: x\r\n\r\n");
  // The stats connection is idle too once it has its answer. The slow request
  // has arrived once the count exceeds /hello plus the watcher's own requests.
  auto watcher = connect();
  bool arrived = false;
  for (std::uint64_t own = 1; !arrived && own < 10000; ++own) {
    auto stats = watcher.get("/stats").body();
    arrived = stats.find("\"requests\":" + std::to_string(own + 2) + ",") != std::string::npos;
  }
  ASSERT_TRUE(arrived) << "the backend never received the slow request";
  backend_.signal(SIGTERM);
  auto slow = busy.read_response();
  EXPECT_EQ(slow.result_int(), 200);
  EXPECT_EQ(slow.body(), "slow");
  EXPECT_EQ(slow[http::field::connection], "close") << "a draining backend takes no further requests";
  EXPECT_EQ(idle.read_error(), asio::error::eof);
  EXPECT_EQ(backend_.wait(), 0);
}

TEST(BackendHealth, UnhealthyAnswers503) {
  for (std::vector<std::string> flags : {std::vector<std::string>{"--unhealthy"}, {"--unhealthy-after", "0"}}) {
    flags.insert(flags.begin(), {"--listen", "127.0.0.1:0"});
    BackendProcess backend(flags);
    HttpClient client(backend.port());
    EXPECT_EQ(client.get("/health").result_int(), 503) << flags[2];
    EXPECT_EQ(client.get("/hello").result_int(), 200) << "only the health check fails";
  }
}

TEST(BackendHealth, HealthyUntilTheGivenTime) {
  BackendProcess backend({"--listen", "127.0.0.1:0", "--unhealthy-after", "600000"});
  EXPECT_EQ(HttpClient(backend.port()).get("/health").result_int(), 200);
}

TEST(BackendRelease, SlowStarterServesOnceListening) {
  BackendProcess backend({"--listen", "127.0.0.1:0", "--startup-delay", "50"});
  EXPECT_EQ(HttpClient(backend.port()).get("/hello").body(), "hello");
}

TEST(BackendRelease, ExitAfterCrashesWithCodeOne) {
  BackendProcess backend({"--listen", "127.0.0.1:0", "--exit-after", "50"});
  EXPECT_NE(backend.port(), 0);
  EXPECT_EQ(backend.wait(), 1);
}

TEST(BackendRelease, ExitImmediatelyNeverListens) {
  BackendProcess backend({"--listen", "127.0.0.1:0", "--exit-immediately"});
  EXPECT_EQ(backend.listening_line(), "");
  EXPECT_EQ(backend.wait(), 1);
}

TEST(BackendUnixSocket, ServesOverAUnixSocket) {
  auto path = (std::filesystem::temp_directory_path() / ("backend-" + std::to_string(::getpid()) + ".sock"));
  {
    BackendProcess backend({"--unix", path.string(), "--threads", "2"});
    EXPECT_EQ(backend.listening_line(), "listening unix:" + path.string());
    HttpClient client(path.string());
    EXPECT_EQ(client.get("/hello").body(), "hello");
  }
  EXPECT_FALSE(std::filesystem::exists(path)) << "the socket file is removed on exit";
}

}  // namespace
}  // namespace baton::test_backend
