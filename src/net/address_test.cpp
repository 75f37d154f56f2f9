#include "net/address.hpp"

#include <gtest/gtest.h>

namespace baton {
TEST(ParseAddress, Ipv4AndPort) {
  auto a = parse_address("127.0.0.1:8080").value();
  EXPECT_EQ(a.kind, Address::Kind::tcp);
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 8080);
  EXPECT_EQ(a.text(), "127.0.0.1:8080");
}

TEST(ParseAddress, Ipv6InBrackets) {
  auto a = parse_address("[::1]:9000").value();
  EXPECT_EQ(a.host, "::1");
  EXPECT_EQ(a.text(), "[::1]:9000");
}

TEST(ParseAddress, LocalhostIsLoopback) {
  EXPECT_EQ(parse_address("localhost:1").value().host, "127.0.0.1");
}

TEST(ParseAddress, UnixSocket) {
  auto a = parse_address("unix:/run/app.sock").value();
  EXPECT_EQ(a.kind, Address::Kind::unix_path);
  EXPECT_EQ(a.path, "/run/app.sock");
  EXPECT_EQ(a.text(), "unix:/run/app.sock");
}

TEST(ParseAddress, RejectsMalformed) {
  for (auto text : {"", "8080", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:80x",
                    "example.com:80", "[::1:80", "unix:", "unix:relative.sock", "1.2.3.4:-1"})
    EXPECT_FALSE(parse_address(text).has_value()) << text;
}
}  // namespace baton
