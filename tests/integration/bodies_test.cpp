// Request and response bodies: chunked both ways, 100-continue, and 1 GiB
// streamed each way in bounded memory.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "harness.hpp"

namespace baton::itest {
namespace {
constexpr std::uint64_t kGiB = 1ull << 30;
// Growth over the idle daemon's footprint (sanitizer builds start far higher).
constexpr std::uint64_t kRssGrowthLimit = 32ull << 20;
constexpr std::uint64_t kRssSampleEvery = 16ull << 20;
constexpr std::size_t kUploadWrite = 256 * 1024;

class Bodies : public ProxyTest {
 protected:
  void SetUp() override {
    ProxyTest::SetUp();
    if (IsSkipped()) return;
    port_ = start_proxy_to(start_backend());
    baton_pid_ = batons_.back()->process().pid();
  }

  // Baton's footprint once it has served a request.
  void measure_baseline() {
    Client warm_up(port_);
    ASSERT_TRUE(warm_up.get("/hello")) << warm_up.last_error();
    baseline_rss_ = resident_bytes(baton_pid_);
  }

  void expect_bounded_memory(std::uint64_t peak_rss) {
    RecordProperty("baton_baseline_rss_bytes", std::to_string(baseline_rss_));
    RecordProperty("baton_peak_rss_bytes", std::to_string(peak_rss));
    ASSERT_GT(baseline_rss_, 0u);
    ASSERT_GT(peak_rss, 0u);
    EXPECT_LT(peak_rss - std::min(peak_rss, baseline_rss_), kRssGrowthLimit)
        << "baton's resident memory grew with the body: " << baseline_rss_ << " -> " << peak_rss;
  }

  std::uint16_t port_ = 0;
  pid_t baton_pid_ = 0;
  std::uint64_t baseline_rss_ = 0;
};

TEST_F(Bodies, ChunkedRequestBodyIsEchoedChunked) {
  Client client(port_);
  ASSERT_TRUE(client.send(
      "POST /echo HTTP/1.1\r\nHost: test.local\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n"
      "6;ext=1\r\n world\r\n"
      "0\r\nX-Trailer: dropped\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  EXPECT_TRUE(response->chunked);
  EXPECT_EQ(response->body, "hello world");
  // The connection is still good for the next request.
  response = client.get("/hello");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->body, "hello");
}

TEST_F(Bodies, LengthDelimitedRequestBodyIsEchoed) {
  Client client(port_);
  ASSERT_TRUE(client.send("POST /echo HTTP/1.1\r\nHost: test.local\r\nContent-Length: 11\r\n\r\nhello world"));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  EXPECT_FALSE(response->chunked);
  EXPECT_EQ(response->header("Content-Length"), "11");
  EXPECT_EQ(response->body, "hello world");
}

TEST_F(Bodies, ChunkedResponsePassesThrough) {
  Client client(port_);
  auto response = client.get("/download?bytes=300000&chunked=1");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  EXPECT_TRUE(response->chunked);
  PatternChecker check;
  check.feed(response->body);
  EXPECT_EQ(check.bytes(), 300000u);
  EXPECT_TRUE(check.ok()) << "first wrong byte at " << check.first_mismatch();
}

TEST_F(Bodies, ChunkedResponseToHttp10ClientIsDelimitedByClose) {
  Client client(port_);
  ASSERT_TRUE(client.send("GET /download?bytes=1000&chunked=1 HTTP/1.0\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  EXPECT_FALSE(response->chunked);
  EXPECT_EQ(response->header("Transfer-Encoding"), std::nullopt);
  PatternChecker check;
  check.feed(response->body);
  EXPECT_EQ(check.bytes(), 1000u);
  EXPECT_TRUE(check.ok());
}

TEST_F(Bodies, ExpectContinueGetsContinueThenTheEcho) {
  Client client(port_);
  ASSERT_TRUE(client.send(
      "POST /echo HTTP/1.1\r\nHost: test.local\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = client.read_response();
  ASSERT_TRUE(interim) << client.last_error();
  EXPECT_EQ(interim->status, 100u);
  ASSERT_TRUE(client.send("hello world"));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->body, "hello world");
}

TEST_F(Bodies, ExpectContinueWithBodyAlreadySentIsEchoed) {
  Client client(port_);
  ASSERT_TRUE(client.send(
      "POST /echo HTTP/1.1\r\nHost: test.local\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  if (response->status == 100) response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->body, "abc");
}

TEST_F(Bodies, GigabyteDownloadStreamsInBoundedMemory) {
  measure_baseline();
  Client client(port_);
  ASSERT_TRUE(client.send(get_request(fmt::format("/download?bytes={}", kGiB))));
  PatternChecker check;
  std::uint64_t peak_rss = 0, next_sample = 0;
  ReadOptions options;
  options.timeout = 100s;
  options.on_body = [&](std::string_view piece) {
    check.feed(piece);
    if (check.bytes() >= next_sample) {
      peak_rss = std::max(peak_rss, resident_bytes(baton_pid_));
      next_sample += kRssSampleEvery;
    }
  };
  auto response = client.read_response(options);
  ASSERT_TRUE(response) << client.last_error() << " after " << check.bytes() << " bytes";
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(check.bytes(), kGiB);
  EXPECT_TRUE(check.ok()) << "first wrong byte at " << check.first_mismatch();
  expect_bounded_memory(peak_rss);
}

TEST_F(Bodies, GigabyteUploadStreamsInBoundedMemory) {
  measure_baseline();
  Client client(port_);
  ASSERT_TRUE(client.send(fmt::format("POST /upload HTTP/1.1\r\nHost: test.local\r\nContent-Length: {}\r\n\r\n", kGiB)));
  std::uint64_t sum = kFnvBasis, peak_rss = 0;
  for (std::uint64_t sent = 0; sent < kGiB;) {
    auto piece = pattern_slice(sent, std::min<std::uint64_t>(kUploadWrite, kGiB - sent));
    ASSERT_TRUE(client.send(piece)) << client.last_error() << " after " << sent << " bytes";
    sum = fnv1a64(sum, piece);
    if (sent % kRssSampleEvery + piece.size() >= kRssSampleEvery)
      peak_rss = std::max(peak_rss, resident_bytes(baton_pid_));
    sent += piece.size();
  }
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  ASSERT_EQ(response->status, 200u) << response->body;
  auto json = nlohmann::json::parse(response->body);
  EXPECT_EQ(json.at("bytes").get<std::uint64_t>(), kGiB);
  EXPECT_EQ(json.at("sum").get<std::uint64_t>(), sum);
  expect_bounded_memory(peak_rss);
}
TEST_F(Bodies, EmptyBodies) {
  Client client(port_);
  ASSERT_TRUE(client.send("POST /echo HTTP/1.1\r\nHost: test.local\r\nContent-Length: 0\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->body, "");
  ASSERT_TRUE(client.send("POST /echo HTTP/1.1\r\nHost: test.local\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
  response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->body, "");
  response = client.get("/download?bytes=0");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->header("Content-Length"), "0");
}

TEST_F(Bodies, ClientVanishingMidBodyLeavesOthersUnharmed) {
  {
    Client quitter(port_);
    std::string request = "POST /upload HTTP/1.1\r\nHost: test.local\r\nContent-Length: 100000\r\n\r\n";
    request.append(5000, 'q');
    ASSERT_TRUE(quitter.send(request));
  }  // closed with most of the body missing
  auto& backend = *backends_.front();
  ASSERT_TRUE(eventually([&] { return backend.stats().requests == 1; }));
  EXPECT_TRUE(eventually([&] { return backend.stats().open == 0; })) << "the upstream connection was kept";
  Client client(port_);
  auto response = client.get("/hello");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
}
}  // namespace
}  // namespace baton::itest
