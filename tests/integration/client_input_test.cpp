// What outside clients send that tidy clients never do: oversized fields, heads
// and chunk lines with bare LF, raw bytes in the target, fragments, look-alike
// forwarding fields; and an origin whose chunked framing breaks at once.
#include <algorithm>

#include "harness.hpp"
#include "head_corpus.hpp"

namespace baton::itest {
namespace {
// Long header and body deadlines: a refusal that comes is not a timeout's.
constexpr std::string_view kPatientTimeouts =
    "[proxy.timeouts]\nheader = \"60s\"\nbody = \"60s\"\n";

class ClientInput : public ProxyTest {
 protected:
  void start(std::string_view service_keys = "", std::string tables = std::string(kPatientTimeouts)) {
    backend_ = &start_backend();
    port_ = start_proxy_to(*backend_, service_keys, tables);
  }

  std::optional<Response> send(std::string_view request) {
    Client client(port_);
    if (!client.send(request)) return std::nullopt;
    return client.read_response();
  }

  std::vector<std::pair<std::string, std::string>> origin_fields(std::string_view request) {
    auto response = send(request);
    EXPECT_TRUE(response);
    if (!response) return {};
    EXPECT_EQ(response->status, 200u) << response->body;
    return fields_of(response->body);
  }

  static std::vector<std::string> values(const std::vector<std::pair<std::string, std::string>>& fields,
                                         std::string_view name) {
    std::vector<std::string> out;
    for (const auto& [n, v] : fields)
      if (std::ranges::equal(n, name, [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
        out.push_back(v);
    return out;
  }

  Backend* backend_ = nullptr;
  std::uint16_t port_ = 0;
};

TEST_F(ClientInput, AFieldOverTheFieldLimitIs431) {
  start();
  auto response = send("GET / HTTP/1.1\r\nHost: x\r\nCookie: " + std::string(9000, 'c') + "\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431u);
  EXPECT_EQ(backend_->stats().requests, 0u);
}

TEST_F(ClientInput, AFieldAtTheNginxLimitIsTaken) {
  start();
  auto response = send("GET /hello HTTP/1.1\r\nHost: x\r\nCookie: " + std::string(8180, 'c') + "\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200u);
}

TEST_F(ClientInput, TheFieldLimitIsAConfigKey) {
  start("", std::string(kPatientTimeouts) + "[proxy.limits]\nmax_field_bytes = \"16k\"\n");
  auto response = send("GET /hello HTTP/1.1\r\nHost: x\r\nCookie: " + std::string(12000, 'c') + "\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200u);
}

TEST_F(ClientInput, AHeaderBlockOverTheHeadLimitIs431) {
  start();
  std::string request = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 20; ++i) request += "X-F" + std::to_string(i) + ": " + std::string(4000, 'v') + "\r\n";
  auto response = send(request + "\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431u);
}

TEST_F(ClientInput, ARequestLineWithoutAVersionIs400NotATimeout) {
  start();
  auto response = send("GET / \r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400u);
}

TEST_F(ClientInput, AnHttp09RequestIs400NotATimeout) {
  start();
  auto response = send("GET /\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400u);
}

TEST_F(ClientInput, RawBytesOutsideAsciiInTheTargetAre400) {
  start();
  auto response = send("GET /a\xff" "b HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400u);
  EXPECT_EQ(backend_->stats().requests, 0u);
}

TEST_F(ClientInput, AFragmentNeverReachesTheOrigin) {
  start();
  auto response = send("GET /headers?a=1#section-2 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200u);
  EXPECT_TRUE(response->body.starts_with("GET /headers?a=1 HTTP/1.1\r\n")) << response->body;
}

TEST_F(ClientInput, FieldNamesWithUnderscoresAreDropped) {
  start();
  auto fields = origin_fields("GET /headers HTTP/1.1\r\nHost: x\r\nX_Forwarded_For: 6.6.6.6\r\nX-Kept: 1\r\n\r\n");
  EXPECT_TRUE(values(fields, "X_Forwarded_For").empty());
  EXPECT_EQ(values(fields, "X-Forwarded-For"), std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(values(fields, "X-Kept"), std::vector<std::string>{"1"});
}

TEST_F(ClientInput, FieldNamesWithUnderscoresPassWhenAllowed) {
  start("underscores_in_headers = true\n");
  auto fields = origin_fields(
      "GET /headers HTTP/1.1\r\nHost: x\r\nX_Legacy_Token: abc\r\nX_Real_IP: 6.6.6.6\r\nX_Forwarded_For: 6.6.6.6\r\n\r\n");
  EXPECT_EQ(values(fields, "X_Legacy_Token"), std::vector<std::string>{"abc"});
  EXPECT_TRUE(values(fields, "X_Real_IP").empty()) << "Baton's own fields are never spoofed with underscores";
  EXPECT_TRUE(values(fields, "X_Forwarded_For").empty());
}

TEST_F(ClientInput, XRealIpIsTheClientAddress) {
  start();
  auto fields = origin_fields("GET /headers HTTP/1.1\r\nHost: x\r\nX-Real-IP: 6.6.6.6\r\n\r\n");
  EXPECT_EQ(values(fields, "X-Real-IP"), std::vector<std::string>{"127.0.0.1"});
}

TEST_F(ClientInput, BareLineFeedsInChunkFramingAre400NotATimeout) {
  start();
  auto response = send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400u);
}

TEST_F(ClientInput, AChunkSizeOfSeventeenDigitsIs400) {
  start();
  auto response =
      send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000005\r\nhello\r\n0\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400u);
}

TEST_F(ClientInput, ABrokenChunkedResponseBeforeAnyByteIs502) {
  start();
  Client client(port_);
  auto response = client.get("/bad/chunk");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 502u);
  EXPECT_EQ(response->error_code(), "bad_upstream_response");
  auto next = client.get("/hello");
  ASSERT_TRUE(next) << "the client's connection stays usable: " << client.last_error();
  EXPECT_EQ(next->status, 200u);
}

TEST_F(ClientInput, AnIdleWebSocketIsClosedAfterItsTimeout) {
  start("", "[proxy.timeouts]\nwebsocket_idle = \"300ms\"\n");
  WsClient ws;
  ASSERT_TRUE(ws.connect(port_, "/ws")) << ws.last_error();
  ASSERT_TRUE(ws.write("ping", true)) << ws.last_error();
  ASSERT_TRUE(ws.read()) << ws.last_error();
  EXPECT_FALSE(ws.read()) << "an idle tunnel must be closed";
  EXPECT_EQ(ws.last_error().find("timed out"), std::string::npos) << ws.last_error();
}
}  // namespace
}  // namespace baton::itest
