#include "load_options.hpp"

#include <gtest/gtest.h>

namespace baton::load {
namespace {
using namespace std::chrono_literals;

std::expected<LoadOptions, std::string> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "baton-load");
  return parse_load_options(static_cast<int>(args.size()), args.data());
}

TEST(LoadOptions, EveryFlag) {
  auto o = parse({"--url", "http://127.0.0.1:8080/api?x=1", "--connections", "8", "--duration", "2.5", "--rate",
                  "100", "--cookies", "--json", "--progress", "--header", "X-A: 1", "--header", "X-B:2",
                  "--timeout", "500", "--threads", "2", "--body", "4096", "--trace", "/tmp/t"});
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->url.host, "127.0.0.1");
  EXPECT_EQ(o->url.port, 8080);
  EXPECT_EQ(o->url.target, "/api?x=1");
  EXPECT_EQ(o->connections, 8);
  EXPECT_EQ(o->duration, std::chrono::duration<double>(2.5));
  EXPECT_EQ(o->rate, 100.0);
  EXPECT_TRUE(o->cookies && o->json && o->progress);
  ASSERT_EQ(o->headers.size(), 2u);
  EXPECT_EQ(o->headers[0].first, "X-A");
  EXPECT_EQ(o->headers[0].second, "1");
  EXPECT_EQ(o->headers[1].first, "X-B");
  EXPECT_EQ(o->headers[1].second, "2");
  EXPECT_EQ(o->timeout, 500ms);
  EXPECT_EQ(o->threads, 2);
  EXPECT_EQ(o->body_bytes, 4096u);
  EXPECT_EQ(o->trace_path, "/tmp/t");
}

TEST(LoadOptions, Defaults) {
  auto o = parse({"--url", "http://localhost"});
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->url.port, 80);
  EXPECT_EQ(o->url.target, "/");
  EXPECT_EQ(o->url.host_header(), "localhost");
  EXPECT_EQ(o->connections, 1);
  EXPECT_FALSE(o->duration);
  EXPECT_FALSE(o->rate);
  EXPECT_EQ(o->timeout, 10000ms);
  EXPECT_FALSE(o->cookies || o->json || o->progress);
  EXPECT_EQ(o->body_bytes, 0u);
}

TEST(LoadOptions, UrlForms) {
  EXPECT_EQ(parse_url("http://h:81")->host_header(), "h:81");
  EXPECT_EQ(parse_url("http://h?q=1")->target, "/?q=1");
  EXPECT_FALSE(parse_url("https://h/"));
  EXPECT_FALSE(parse_url("http://:80/"));
  EXPECT_FALSE(parse_url("http://h:0/"));
  EXPECT_FALSE(parse_url("http://h:99999/"));
  EXPECT_FALSE(parse_url("h:80"));
}

TEST(LoadOptions, BadUsageSaysWhat) {
  EXPECT_EQ(parse({}).error(), "--url is required");
  EXPECT_FALSE(parse({"--url", "http://h/", "--connections", "0"}));
  EXPECT_FALSE(parse({"--url", "http://h/", "--duration", "-1"}));
  EXPECT_FALSE(parse({"--url", "http://h/", "--rate", "fast"}));
  EXPECT_FALSE(parse({"--url", "http://h/", "--header", "novalue"}));
  EXPECT_FALSE(parse({"--url", "http://h/", "--timeout"}));
  EXPECT_FALSE(parse({"--url", "http://h/", "--body", "0"}));
  EXPECT_EQ(parse({"--url", "http://h/", "--bogus", "1"}).error(), "unknown option --bogus");
  EXPECT_TRUE(parse({"--help"})->help);
}
}  // namespace
}  // namespace baton::load
