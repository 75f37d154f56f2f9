// What the backend receives: hop-by-hop fields removed, forwarding fields set.
// /headers answers with the request head exactly as the backend received it.
#include <algorithm>

#include "harness.hpp"

namespace baton::itest {
namespace {
struct ForwardedHead {
  std::string request_line;
  std::vector<std::pair<std::string, std::string>> fields;

  std::vector<std::string> values(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [n, v] : fields)
      if (std::ranges::equal(n, name, [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
        out.push_back(v);
    return out;
  }
  bool has(std::string_view name) const { return !values(name).empty(); }
};

ForwardedHead parse_head(std::string_view text) {
  ForwardedHead head;
  auto line_end = text.find("\r\n");
  head.request_line = std::string(text.substr(0, line_end));
  for (auto at = line_end + 2; at < text.size();) {
    auto end = text.find("\r\n", at);
    if (end == std::string_view::npos || end == at) break;
    auto line = text.substr(at, end - at);
    auto colon = line.find(':');
    auto value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    head.fields.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    at = end + 2;
  }
  return head;
}

class Headers : public ProxyTest {
 protected:
  ForwardedHead forwarded(std::string_view request) {
    Client client(port_);
    EXPECT_TRUE(client.send(request)) << client.last_error();
    auto response = client.read_response();
    EXPECT_TRUE(response) << client.last_error();
    if (!response) return {};
    EXPECT_EQ(response->status, 200u) << response->body;
    return parse_head(response->body);
  }

  void SetUp() override {
    ProxyTest::SetUp();
    if (IsSkipped()) return;
    port_ = start_proxy_to(start_backend());
  }

  std::uint16_t port_ = 0;
};

TEST_F(Headers, StripsHopByHopFields) {
  auto head = forwarded(
      "GET /headers HTTP/1.1\r\n"
      "Host: app.example\r\n"
      "Connection: keep-alive, X-Secret, Upgrade\r\n"
      "X-Secret: for the proxy only\r\n"
      "Keep-Alive: timeout=5\r\n"
      "TE: trailers\r\n"
      "Upgrade: h2c\r\n"
      "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n"
      "Proxy-Connection: keep-alive\r\n"
      "Trailer: X-Checksum\r\n"
      "X-Custom: kept\r\n"
      "\r\n");
  EXPECT_EQ(head.request_line, "GET /headers HTTP/1.1");
  for (auto name : {"Connection", "X-Secret", "Keep-Alive", "TE", "Upgrade", "Proxy-Connection", "Trailer"})
    EXPECT_FALSE(head.has(name)) << name << " was forwarded";
  EXPECT_EQ(head.values("X-Custom"), std::vector<std::string>{"kept"});
  EXPECT_EQ(head.values("HTTP2-Settings"), std::vector<std::string>{"AAMAAABkAAQCAAAAAAIAAAAA"});
}

TEST_F(Headers, SetsForwardingFieldsAndKeepsHost) {
  auto head = forwarded(
      "GET /headers?x=1 HTTP/1.1\r\n"
      "Host: app.example:8080\r\n"
      "X-Forwarded-For: 203.0.113.7\r\n"
      "X-Forwarded-Host: spoofed.example\r\n"
      "X-Forwarded-Proto: https\r\n"
      "\r\n");
  EXPECT_EQ(head.request_line, "GET /headers?x=1 HTTP/1.1");
  EXPECT_EQ(head.values("Host"), std::vector<std::string>{"app.example:8080"});
  EXPECT_EQ(head.values("X-Forwarded-For"), std::vector<std::string>{"203.0.113.7, 127.0.0.1"});
  EXPECT_EQ(head.values("X-Forwarded-Host"), std::vector<std::string>{"app.example:8080"});
  EXPECT_EQ(head.values("X-Forwarded-Proto"), std::vector<std::string>{"http"});
}

TEST_F(Headers, SetsForwardedForWhenAbsent) {
  auto head = forwarded("GET /headers HTTP/1.1\r\nHost: app.example\r\n\r\n");
  EXPECT_EQ(head.values("X-Forwarded-For"), std::vector<std::string>{"127.0.0.1"});
}

TEST_F(Headers, AbsoluteFormTargetUsesItsOwnAuthority) {
  auto head = forwarded(
      "GET http://other.example:8080/headers?q=2 HTTP/1.1\r\n"
      "Host: app.example\r\n"
      "\r\n");
  EXPECT_EQ(head.request_line, "GET /headers?q=2 HTTP/1.1");
  EXPECT_EQ(head.values("Host"), std::vector<std::string>{"other.example:8080"});
  EXPECT_EQ(head.values("X-Forwarded-Host"), std::vector<std::string>{"other.example:8080"});
}

TEST_F(Headers, Http10RequestIsForwardedAsHttp11WithHost) {
  Client client(port_);
  ASSERT_TRUE(client.send("GET /headers HTTP/1.0\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  auto head = parse_head(response->body);
  EXPECT_EQ(head.request_line, "GET /headers HTTP/1.1");
  // Without a Host from the client, the listener's own address stands in.
  EXPECT_EQ(head.values("Host"), std::vector<std::string>{"127.0.0.1:" + std::to_string(port_)});
  EXPECT_FALSE(response->keep_alive);
  EXPECT_TRUE(client.wait_closed());
}
TEST_F(Headers, SeveralForwardedForFieldsAreJoinedInOrder) {
  auto head = forwarded(
      "GET /headers HTTP/1.1\r\nHost: app.example\r\n"
      "X-Forwarded-For: 203.0.113.7\r\nX-Other: 1\r\nx-forwarded-for: 198.51.100.1, 198.51.100.2\r\n\r\n");
  EXPECT_EQ(head.values("X-Forwarded-For"),
            std::vector<std::string>{"203.0.113.7, 198.51.100.1, 198.51.100.2, 127.0.0.1"});
}
}  // namespace
}  // namespace baton::itest
