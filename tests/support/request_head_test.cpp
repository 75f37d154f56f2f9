#include "request_head.hpp"

#include <gtest/gtest.h>

namespace baton::test_backend {
namespace {

std::optional<RequestHead> parse_head(std::string_view text) {
  RequestHead head;
  if (!parse_request_head(text, head)) return std::nullopt;
  return head;
}

TEST(RequestHead, FindsTheEndOfAHead) {
  EXPECT_EQ(find_head_end("GET / HTTP/1.1\r\nHost: a\r\n\r\nbody"), 27u);
  EXPECT_EQ(find_head_end("GET / HTTP/1.1\r\nHost: a\r\n"), std::nullopt);
}

TEST(RequestHead, ParsesRequestLineAndFields) {
  auto head = parse_head("POST /echo?x=1 HTTP/1.1\r\nHost: a\r\nX-Thing:  spaced value \t\r\n\r\n");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->method, "POST");
  EXPECT_EQ(head->target, "/echo?x=1");
  EXPECT_EQ(head->path(), "/echo");
  EXPECT_EQ(head->minor_version, 1);
  EXPECT_EQ(head->field("x-thing"), "spaced value");
}

TEST(RequestHead, RefusesMalformedHeads) {
  EXPECT_FALSE(parse_head("GET / HTTP/1.1\r\n\r\n")) << "1.1 without Host";
  EXPECT_FALSE(parse_head("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")) << "two Hosts";
  EXPECT_FALSE(parse_head("GET / HTTP/1.1\r\nHost : a\r\n\r\n")) << "space before colon";
  EXPECT_FALSE(parse_head("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n folded\r\n\r\n")) << "obs-fold";
  EXPECT_FALSE(parse_head("GET / HTTP/2.0\r\nHost: a\r\n\r\n"));
  EXPECT_FALSE(parse_head("GET  / HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_FALSE(parse_head("GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n")) << "bare LF";
  EXPECT_TRUE(parse_head("GET / HTTP/1.0\r\n\r\n"));
}

TEST(RequestHead, WorksOutBodyFraming) {
  auto framing = [](std::string_view fields) {
    std::string text = "POST / HTTP/1.1\r\nHost: a\r\n" + std::string(fields) + "\r\n";
    auto head = parse_head(text);
    return head ? body_framing(*head) : std::nullopt;
  };
  EXPECT_EQ(framing("")->kind, BodyKind::none);
  EXPECT_EQ(framing("Content-Length: 12\r\n")->length, 12u);
  EXPECT_EQ(framing("Content-Length: 5, 5\r\n")->length, 5u);
  EXPECT_EQ(framing("Transfer-Encoding: gzip, Chunked\r\n")->kind, BodyKind::chunked);
  EXPECT_FALSE(framing("Content-Length: 5\r\nContent-Length: 6\r\n"));
  EXPECT_FALSE(framing("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"));
  EXPECT_FALSE(framing("Transfer-Encoding: chunked, gzip\r\n"));
  EXPECT_FALSE(framing("Content-Length: -1\r\n"));
  EXPECT_FALSE(framing("Content-Length: \r\n"));
  EXPECT_FALSE(framing("Content-Length: 99999999999999999999\r\n"));
}

TEST(RequestHead, DecidesKeepAlive) {
  EXPECT_TRUE(wants_keep_alive(*parse_head("GET / HTTP/1.1\r\nHost: a\r\n\r\n")));
  EXPECT_FALSE(wants_keep_alive(*parse_head("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, Close\r\n\r\n")));
  EXPECT_FALSE(wants_keep_alive(*parse_head("GET / HTTP/1.0\r\n\r\n")));
  EXPECT_TRUE(wants_keep_alive(*parse_head("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")));
}

TEST(RequestHead, ReadsQueryNumbers) {
  EXPECT_EQ(query_number("/download?bytes=10&chunked=1", "bytes"), 10u);
  EXPECT_EQ(query_number("/download?bytes=10&chunked=1", "chunked"), 1u);
  EXPECT_EQ(query_number("/download?bytes=x", "bytes"), std::nullopt);
  EXPECT_EQ(query_number("/download", "bytes"), std::nullopt);
}

}  // namespace
}  // namespace baton::test_backend
