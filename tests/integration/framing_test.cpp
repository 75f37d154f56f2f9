// Response framing: bodiless responses stay bodiless, and a broken upstream
// response never reaches the client as a well-formed one.
#include "harness.hpp"

namespace baton::itest {
namespace {
class Framing : public ProxyTest {
 protected:
  void SetUp() override {
    ProxyTest::SetUp();
    if (IsSkipped()) return;
    backend_ = &start_backend();
    port_ = start_proxy_to(*backend_, "retries = 0\n");
  }

  // The connection must still carry a normal request after the previous one.
  void expect_next_request_works(Client& client) {
    auto response = client.get("/hello");
    ASSERT_TRUE(response) << client.last_error();
    EXPECT_EQ(response->status, 200u);
    EXPECT_EQ(response->body, "hello");
  }

  std::optional<Response> head(Client& client, std::string_view path) {
    std::string request = "HEAD " + std::string(path) + " HTTP/1.1\r\nHost: test.local\r\n\r\n";
    if (!client.send(request)) return std::nullopt;
    ReadOptions options;
    options.head_request = true;
    return client.read_response(options);
  }

  Backend* backend_ = nullptr;
  std::uint16_t port_ = 0;
};

TEST_F(Framing, HeadResponseKeepsLengthButHasNoBody) {
  Client client(port_);
  auto response = head(client, "/hello");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->header("Content-Length"), "5");
  expect_next_request_works(client);
}

TEST_F(Framing, HeadOfChunkedResourceHasNoBody) {
  Client client(port_);
  auto response = head(client, "/download?bytes=1000&chunked=1");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  expect_next_request_works(client);
}

TEST_F(Framing, NoContentAndNotModifiedHaveNoBody) {
  Client client(port_);
  for (unsigned status : {204u, 304u}) {
    auto response = client.get("/status/" + std::to_string(status));
    ASSERT_TRUE(response) << client.last_error();
    EXPECT_EQ(response->status, status);
    EXPECT_EQ(response->body, "");
    EXPECT_EQ(response->count("Transfer-Encoding"), 0u);
    if (status == 204) {
      EXPECT_EQ(response->count("Content-Length"), 0u);
    }
    expect_next_request_works(client);
  }
}

TEST_F(Framing, BodyAfterHeadResponseIsDropped) {
  Client client(port_);
  auto response = head(client, "/bad/head-body");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  expect_next_request_works(client);
}

TEST_F(Framing, BodyAfterNoContentIsDropped) {
  Client client(port_);
  auto response = client.get("/bad/204-body");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 204u);
  EXPECT_EQ(response->count("Content-Length"), 0u);
  expect_next_request_works(client);
}

// Broken heads: nothing has gone to the client yet, so Baton answers 502.
class BadUpstreamHead : public Framing, public ::testing::WithParamInterface<const char*> {};

TEST_P(BadUpstreamHead, Gets502) {
  Client client(port_);
  auto response = client.get(std::string("/bad/") + GetParam());
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 502u) << response->body;
  EXPECT_EQ(response->error_code(), "bad_upstream_response");
  EXPECT_EQ(backend_->stats().requests, 1u) << "a malformed response must not be retried";
  Client next(port_);
  expect_next_request_works(next);
}

INSTANTIATE_TEST_SUITE_P(Responses, BadUpstreamHead, ::testing::Values("cl-te", "two-cl", "garbage"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::erase(name, '-');
                           return name;
                         });

// Broken bodies: the head went out already, so the client's connection is cut
// rather than finishing a response that lies about its body.
class BadUpstreamBody : public Framing, public ::testing::WithParamInterface<const char*> {};

TEST_P(BadUpstreamBody, CutsTheClientConnection) {
  Client client(port_);
  ASSERT_TRUE(client.send(get_request(std::string("/bad/") + GetParam())));
  auto response = client.read_response();
  if (response) {
    // Only acceptable if Baton noticed before sending the head.
    EXPECT_EQ(response->status, 502u) << "a truncated body was passed off as complete: " << response->body;
  } else {
    EXPECT_TRUE(client.wait_closed()) << client.last_error();
  }
  Client next(port_);
  expect_next_request_works(next);
}

INSTANTIATE_TEST_SUITE_P(Responses, BadUpstreamBody, ::testing::Values("short", "chunk"));
}  // namespace
}  // namespace baton::itest
