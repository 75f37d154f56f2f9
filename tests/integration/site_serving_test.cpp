// Serving a site through the real daemon: path safety, validators, ranges, encodings, routing.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "site_support.hpp"

namespace baton::itest {
namespace {
namespace fs = std::filesystem;

class SiteServing : public SiteTest {
 protected:
  void SetUp() override {
    std::ofstream(dir_.path() / "secret.txt") << "TOP SECRET";
    auto build = make_build("build", {{"index.html", "home"},
                                      {"assets/app.1a2b3c4d.js", "0123456789"},
                                      {"assets/app.1a2b3c4d.js.br", "brotli!"},
                                      {"assets/app.1a2b3c4d.js.gz", "gzip!"},
                                      {"docs/index.html", "docs"},
                                      {"404.html", "custom missing"}});
    fs::create_symlink("app.1a2b3c4d.js", fs::path(build) / "assets/alias.js");
    fs::create_symlink((dir_.path() / "secret.txt").string(), fs::path(build) / "absolute-link.txt");
    fs::create_symlink("../../secret.txt", fs::path(build) / "relative-link.txt");
    ASSERT_EQ(publish(build).code, 0);
  }
  // One raw request per connection: malformed paths may close it.
  std::optional<Response> raw_get(std::uint16_t port, std::string_view target) {
    Client client(port);
    if (!client.send(fmt::format("GET {} HTTP/1.1\r\nHost: test.local\r\n\r\n", target))) return std::nullopt;
    return client.read_response();
  }
};

TEST_F(SiteServing, NoPathShapeReachesAByteOutsideTheRelease) {
  auto port = start_site("spa = true\nnot_found = \"404.html\"");
  for (auto target : {"/../secret.txt", "/../../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
                      "/%2E%2e/secret.txt", "/%2e%2E/%2e%2e/secret.txt", "/.%2e/secret.txt", "/%2e./secret.txt",
                      "/..%2fsecret.txt", "/..%2Fsecret.txt", "/..%5csecret.txt", "/..%5Csecret.txt",
                      "/..\\secret.txt", "/index.html%00.js", "/%00", "/%252e%252e/secret.txt",
                      "/%25%32%65%25%32%65/secret.txt", "/%c0%ae%c0%ae/secret.txt", "/%c0%af",
                      "/%e0%80%ae%e0%80%ae/secret.txt", "/absolute-link.txt", "/relative-link.txt",
                      "/.baton-release", "http://test.local/../secret.txt"}) {
    auto response = raw_get(port, target);
    if (!response) continue;  // refused before any response: nothing leaked either
    EXPECT_TRUE(response->status == 400 || response->status == 404) << target << " -> " << response->status;
    EXPECT_EQ(response->body.find("SECRET"), std::string::npos) << target;
    EXPECT_EQ(response->body.find("version="), std::string::npos) << target;
  }
  auto inside = raw_get(port, "/assets/alias.js");
  ASSERT_TRUE(inside);
  EXPECT_EQ(inside->status, 200u);
  EXPECT_EQ(inside->body, "0123456789");
}

TEST_F(SiteServing, ValidatorsRangesAndEncodings) {
  auto port = start_site();
  Client client(port);
  auto full = client.get("/assets/app.1a2b3c4d.js");
  ASSERT_TRUE(full) << client.last_error();
  EXPECT_EQ(full->header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(full->header("Accept-Ranges"), "bytes");
  EXPECT_EQ(full->header("Vary"), "Accept-Encoding");
  auto etag = full->header("ETag").value_or("");
  auto modified = full->header("Last-Modified").value_or("");
  ASSERT_FALSE(etag.empty());
  auto cached = client.get("/assets/app.1a2b3c4d.js", fmt::format("If-None-Match: {}\r\n", etag));
  EXPECT_EQ(cached->status, 304u);
  EXPECT_TRUE(cached->body.empty());
  EXPECT_EQ(client.get("/assets/app.1a2b3c4d.js", fmt::format("If-Modified-Since: {}\r\n", modified))->status, 304u);
  auto part = client.get("/assets/app.1a2b3c4d.js", "Range: bytes=3-5\r\n");
  EXPECT_EQ(part->status, 206u);
  EXPECT_EQ(part->body, "345");
  EXPECT_EQ(part->header("Content-Range"), "bytes 3-5/10");
  auto tail = client.get("/assets/app.1a2b3c4d.js", "Range: bytes=-2\r\n");
  EXPECT_EQ(tail->body, "89");
  auto beyond = client.get("/assets/app.1a2b3c4d.js", "Range: bytes=50-\r\n");
  EXPECT_EQ(beyond->status, 416u);
  EXPECT_EQ(beyond->header("Content-Range"), "bytes */10");
  auto br = client.get("/assets/app.1a2b3c4d.js", "Accept-Encoding: gzip, br\r\n");
  EXPECT_EQ(br->body, "brotli!");
  EXPECT_EQ(br->header("Content-Encoding"), "br");
  auto gz = client.get("/assets/app.1a2b3c4d.js", "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(gz->body, "gzip!");
  EXPECT_EQ(gz->header("Content-Encoding"), "gzip");
  EXPECT_NE(gz->header("ETag"), full->header("ETag"));
  ASSERT_TRUE(client.send("HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\n"));
  ReadOptions head_only;
  head_only.head_request = true;
  auto head = client.read_response(head_only);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->header("Content-Length"), "4");
  EXPECT_TRUE(head->body.empty());
  EXPECT_EQ(client.get("/index.html")->body, "home");  // the connection is still in step
}

TEST_F(SiteServing, DirectoriesSpaFallbackAndNotFoundPage) {
  auto port = start_site("spa = true\nnot_found = \"404.html\"");
  Client client(port);
  auto redirect = client.get("/docs?x=1");
  EXPECT_EQ(redirect->status, 301u);
  EXPECT_EQ(redirect->header("Location"), "/docs/?x=1");
  EXPECT_EQ(client.get("/docs/")->body, "docs");
  auto route = client.get("/settings/profile");
  EXPECT_EQ(route->status, 200u);
  EXPECT_EQ(route->body, "home");
  auto missing = client.get("/missing.png");
  EXPECT_EQ(missing->status, 404u);
  EXPECT_EQ(missing->body, "custom missing");
  ASSERT_TRUE(client.send("POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
  auto post = client.read_response();
  EXPECT_EQ(post->status, 405u);
  EXPECT_EQ(post->header("Allow"), "GET, HEAD");
}

TEST_F(SiteServing, OneListenerSendsApiToAServiceAndTheRestToTheSite) {
  if (!backend_binary()) GTEST_SKIP() << "built without baton-test-backend";
  auto& backend = *backends_.emplace_back(std::make_unique<Backend>(*backend_binary(), "api", dir_));
  auto toml = fmt::format("[services.api]\nlisten = \"127.0.0.1:0\"\npath = \"/api/\"\ntargets = [\"{}\"]\n\n{}",
                          backend.address(), site_table());
  // Both share one listener only when they name the same address: use a fixed free port.
  auto port = free_port();
  auto address = fmt::format("127.0.0.1:{}", port);
  std::string text = toml;
  for (auto at = text.find("127.0.0.1:0"); at != std::string::npos; at = text.find("127.0.0.1:0"))
    text.replace(at, 11, address);
  start_baton(text);
  Client client(port);
  auto api = client.get("/api/hello");
  ASSERT_TRUE(api) << client.last_error();
  EXPECT_EQ(api->header("X-Backend-Name"), "api");
  EXPECT_EQ(client.get("/")->body, "home");
}
}  // namespace
}  // namespace baton::itest
