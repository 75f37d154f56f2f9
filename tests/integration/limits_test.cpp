// Size limits: refused by Baton with the right status and error code, and
// never passed on to the backend.
#include <fmt/format.h>

#include "harness.hpp"

namespace baton::itest {
namespace {
constexpr std::string_view kLimits =
    "[proxy.limits]\n"
    "max_request_line = 256\n"
    "max_header_bytes = 1024\n"
    "max_header_count = 10\n";

class Limits : public ProxyTest {
 protected:
  void SetUp() override {
    ProxyTest::SetUp();
    if (IsSkipped()) return;
    backend_ = &start_backend();
    port_ = start_proxy_to(*backend_, "[services.app.limits]\nmax_body = 100\n", kLimits);
  }

  // Sends `request`, expects `status` with `code`, then the connection closed.
  void expect_refused(std::string_view request, unsigned status, std::string_view code) {
    Client client(port_);
    ASSERT_TRUE(client.send(request)) << client.last_error();
    auto response = client.read_response();
    ASSERT_TRUE(response) << client.last_error();
    EXPECT_EQ(response->status, status) << response->body;
    EXPECT_EQ(response->error_code(), code);
    EXPECT_TRUE(client.wait_closed()) << "connection left open after a refusal";
    EXPECT_EQ(backend_->stats().requests, 0u) << "the refused request reached the backend";
  }

  Backend* backend_ = nullptr;
  std::uint16_t port_ = 0;
};

TEST_F(Limits, LongRequestLineGets414) {
  expect_refused(get_request("/" + std::string(400, 'a')), 414, "uri_too_long");
}

TEST_F(Limits, RequestLineJustUnderTheLimitIsForwarded) {
  Client client(port_);
  std::string path = "/status/200?";
  path.append(200, 'a');
  auto response = client.get(path);
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
}

TEST_F(Limits, LargeHeaderBlockGets431) {
  expect_refused(get_request("/hello", "test.local", "X-Big: " + std::string(2000, 'b') + "\r\n"), 431,
                 "headers_too_large");
}

TEST_F(Limits, TooManyHeaderFieldsGets431) {
  std::string fields;
  for (int i = 0; i < 12; ++i) fields += fmt::format("X-Field-{}: {}\r\n", i, i);
  expect_refused(get_request("/hello", "test.local", fields), 431, "headers_too_large");
}

TEST_F(Limits, ContentLengthAboveMaxBodyGets413) {
  expect_refused("POST /echo HTTP/1.1\r\nHost: test.local\r\nContent-Length: 200\r\n\r\n" + std::string(200, 'x'),
                 413, "body_too_large");
}

TEST_F(Limits, BodyAtMaxBodyIsForwarded) {
  Client client(port_);
  ASSERT_TRUE(client.send("POST /echo HTTP/1.1\r\nHost: test.local\r\nContent-Length: 100\r\n\r\n" +
                          std::string(100, 'x')));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->body, std::string(100, 'x'));
}

// A chunked body has no length up front: Baton must count it as it streams.
TEST_F(Limits, ChunkedBodyAboveMaxBodyIsRefused) {
  Client client(port_);
  std::string request = "POST /upload HTTP/1.1\r\nHost: test.local\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 10; ++i) request += "32\r\n" + std::string(50, 'x') + "\r\n";
  request += "0\r\n\r\n";
  ASSERT_TRUE(client.send(request)) << client.last_error();
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 413u) << response->body;
  EXPECT_EQ(response->error_code(), "body_too_large");
}

// The proxy-wide max_body applies before a service is chosen, chunked or not.
TEST_F(Limits, ProxyWideMaxBodyRefusesChunkedBodies) {
  auto port = start_proxy_to(*backend_, "", "[proxy.limits]\nmax_body = 100\n");
  Client client(port);
  std::string request = "POST /upload HTTP/1.1\r\nHost: test.local\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 10; ++i) request += "32\r\n" + std::string(50, 'x') + "\r\n";
  request += "0\r\n\r\n";
  ASSERT_TRUE(client.send(request)) << client.last_error();
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 413u) << response->body;
  EXPECT_EQ(response->error_code(), "body_too_large");
}
// The limits are inclusive: a request line of exactly max_request_line bytes
// (without its CRLF) and exactly max_header_count fields pass; one more does not.
TEST_F(Limits, RequestLineLimitIsExact) {
  auto line_of_length = [](std::size_t length) {
    std::string prefix = "GET /status/200?", suffix = " HTTP/1.1";
    return prefix + std::string(length - prefix.size() - suffix.size(), 'a') + suffix + "\r\nHost: test.local\r\n\r\n";
  };
  Client client(port_);
  ASSERT_TRUE(client.send(line_of_length(256)));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  backend_->reset_stats();
  Client longer(port_);
  ASSERT_TRUE(longer.send(line_of_length(257)));
  response = longer.read_response();
  ASSERT_TRUE(response) << longer.last_error();
  EXPECT_EQ(response->status, 414u);
  EXPECT_EQ(response->error_code(), "uri_too_long");
  EXPECT_TRUE(longer.wait_closed());
  EXPECT_EQ(backend_->stats().requests, 0u);
}

TEST_F(Limits, HeaderCountLimitIsExact) {
  std::string nine;
  for (int i = 0; i < 9; ++i) nine += fmt::format("X-Field-{}: {}\r\n", i, i);
  Client client(port_);
  ASSERT_TRUE(client.send(get_request("/hello", "test.local", nine)));  // Host + 9 = 10 fields
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  backend_->reset_stats();
  expect_refused(get_request("/hello", "test.local", nine + "X-One-More: 1\r\n"), 431, "headers_too_large");
}
class ConnectionCapTest : public ProxyTest {};

TEST_F(ConnectionCapTest, ConnectionsPastTheCapAreShedAtOnceAndServiceRecovers) {
  auto& backend = start_backend();
  AppConfig config;
  config.targets = {backend.address()};
  config.proxy_keys = "max_connections = 3\n";
  auto port = start_baton(config.text()).port();
  std::vector<Client> held;
  for (int i = 0; i < 3; ++i) {
    held.emplace_back(port);
    auto response = held.back().get("/hello");
    ASSERT_TRUE(response) << held.back().last_error();
    EXPECT_EQ(response->status, 200u);
  }
  Client extra(port);
  EXPECT_TRUE(extra.wait_closed()) << "a connection past the cap is closed at once";
  EXPECT_TRUE(batons_.back()->process().wait_for_output(Stream::err, [](std::string_view text) {
    return text.find("event=connections_shed") != std::string_view::npos;
  }));
  auto home = (dir_.path() / "home").string();
  int runs = 0;  // the control socket opens a moment after the listeners
  EXPECT_TRUE(eventually([&] {
    Process ls("ls-at-cap-" + std::to_string(++runs), {baton_binary(), "ls", "--home", home}, dir_.path());
    return ls.wait() == 0;
  })) << "the control API answers while the proxy is at its cap";
  held.pop_back();  // one client leaves: its slot comes back
  ASSERT_TRUE(eventually([&] {
    Client again(port);
    auto response = again.get("/hello");
    return response && response->status == 200;
  }));
  for (auto& client : held) EXPECT_EQ(client.get("/hello")->status, 200u) << "held clients were never cut";
}
}  // namespace
}  // namespace baton::itest
