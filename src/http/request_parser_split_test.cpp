// Heads and bodies as the network delivers them: in pieces cut anywhere, with the
// reader's buffer moving between reads.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "http/request_parser.hpp"

namespace baton::http {
namespace {
const std::string kChromeHead =
    "GET /account/orders?page=2 HTTP/1.1\r\n"
    "Host: shop.example.com\r\n"
    "Connection: keep-alive\r\n"
    "sec-ch-ua: \"Not_A Brand\";v=\"8\", \"Chromium\";v=\"120\", \"Google Chrome\";v=\"120\"\r\n"
    "sec-ch-ua-mobile: ?0\r\n"
    "sec-ch-ua-platform: \"Linux\"\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;"
    "q=0.8,application/signed-exchange;v=b3;q=0.7\r\n"
    "Sec-Fetch-Site: same-origin\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "Sec-Fetch-User: ?1\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "Referer: https://shop.example.com/account\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Accept-Language: en-GB,en-US;q=0.9,en;q=0.8\r\n"
    "Cookie: _ga=GA1.1.1234567890.1700000000; _ga_ABCDEF1234=GS1.1.1700000000.3.1.1700000100.0.0.0; "
    "_gid=GA1.2.987654321.1700000000; _fbp=fb.1.1700000000000.1234567890; "
    "session=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0Ij"
    "oxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c; csrftoken=abcdefghijklmnopqrstuvwxyz012345; "
    "theme=dark; consent=analytics%3Dtrue%26ads%3Dfalse; cart=8f14e45fceea167a5a36dedd4bea2543\r\n"
    "\r\n";

struct Fed {
  std::string buffer;  // the views of the head point into it
  RequestHead head;
  BodyPieces body;
  RequestLimits limits;
  std::size_t length = 0;
  Rejection rejection = Rejection::none;
  std::size_t calls_to_refusal = 0;
};

// Feeds `text` as the session does: after each piece arrives, the whole buffer
// so far is parsed again, and the buffer is copied each time as a growing one may be.
std::unique_ptr<Fed> feed(const std::string& text, const std::vector<std::size_t>& cuts, RequestLimits limits = {}) {
  auto out = std::make_unique<Fed>();
  out->limits = limits;
  RequestParser parser(out->head, out->body, out->limits);
  std::size_t from = 0;
  auto points = cuts;
  points.push_back(text.size());
  for (auto cut : points) {
    if (cut <= from && cut != text.size()) continue;
    std::string moved = out->buffer + text.substr(from, cut - from);
    out->buffer.swap(moved);
    from = cut;
    ++out->calls_to_refusal;
    out->length = parser.parse_head(out->buffer);
    out->rejection = parser.rejection();
    if (out->length > 0 || parser.failed()) break;
  }
  return out;
}

std::vector<std::size_t> every_byte(std::size_t n) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < n; ++i) cuts.push_back(i);
  return cuts;
}

void expect_same_head(const RequestHead& a, const RequestHead& b) {
  EXPECT_EQ(a.method_text, b.method_text);
  EXPECT_EQ(a.path, b.path);
  EXPECT_EQ(a.host, b.host);
  ASSERT_EQ(a.fields.size(), b.fields.size());
  for (std::size_t i = 0; i < a.fields.size(); ++i) {
    EXPECT_EQ(a.fields[i].name, b.fields[i].name);
    EXPECT_EQ(a.fields[i].value, b.fields[i].value);
  }
}
}  // namespace

TEST(RequestParserSplit, ABrowserHeadCutAtEveryByteParsesAsWhole) {
  ASSERT_GT(kChromeHead.size(), 1024u);
  auto whole = feed(kChromeHead, {});
  ASSERT_EQ(whole->rejection, Rejection::none);
  ASSERT_EQ(whole->length, kChromeHead.size());
  for (std::size_t cut = 1; cut < kChromeHead.size(); ++cut) {
    auto split = feed(kChromeHead, {cut});
    ASSERT_EQ(split->rejection, Rejection::none) << "cut at " << cut;
    ASSERT_EQ(split->length, kChromeHead.size()) << "cut at " << cut;
    expect_same_head(split->head, whole->head);
  }
}

TEST(RequestParserSplit, AHeadArrivingByteByByteParsesAsWhole) {
  auto whole = feed(kChromeHead, {});
  auto trickled = feed(kChromeHead, every_byte(kChromeHead.size()));
  ASSERT_EQ(trickled->rejection, Rejection::none);
  ASSERT_EQ(trickled->length, kChromeHead.size());
  expect_same_head(trickled->head, whole->head);
}

TEST(RequestParserSplit, HeadsInKibibyteReadsUpToTheLimitParse) {
  for (std::size_t cookie : {1000u, 4000u, 8000u}) {
    std::string text = "GET / HTTP/1.1\r\nHost: a\r\nCookie: " + std::string(cookie, 'c') + "\r\n\r\n";
    std::vector<std::size_t> cuts;
    for (std::size_t at = 1024; at < text.size(); at += 1024) cuts.push_back(at);
    auto p = feed(text, cuts);
    EXPECT_EQ(p->rejection, Rejection::none) << cookie;
    EXPECT_EQ(p->length, text.size()) << cookie;
  }
}

TEST(RequestParserSplit, TheRequestLineAloneThenTheFieldsParses) {
  std::string text = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  auto p = feed(text, {16});
  EXPECT_EQ(p->rejection, Rejection::none);
  EXPECT_EQ(p->length, text.size());
  EXPECT_EQ(p->head.host, "x");
}

TEST(RequestParserSplit, ABodyInTheSameReadIsLeftForTheBody) {
  std::string text = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
  auto p = feed(text, {10});
  EXPECT_EQ(p->rejection, Rejection::none);
  EXPECT_EQ(p->length, text.size() - 5);
}

TEST(RequestParserSplit, AFieldOverItsLimitIs431BeforeItEnds) {
  std::string text = "GET / HTTP/1.1\r\nHost: x\r\nCookie: " + std::string(9000, 'c');
  auto p = feed(text, {1024, 2048, 4096, 8192});
  EXPECT_EQ(p->rejection, Rejection::headers_too_large);
  EXPECT_LE(p->calls_to_refusal, 5u);
}

TEST(RequestParserSplit, AFieldAtItsLimitIsTaken) {
  std::string line = "Cookie: " + std::string(8 * 1024 - 8, 'c');
  ASSERT_EQ(line.size(), 8u * 1024);
  std::string text = "GET / HTTP/1.1\r\nHost: x\r\n" + line + "\r\n\r\n";
  auto p = feed(text, {1024, 5000});
  EXPECT_EQ(p->rejection, Rejection::none);
  EXPECT_EQ(p->length, text.size());
}

TEST(RequestParserSplit, TheFieldLimitIsConfigurable) {
  RequestLimits limits;
  limits.max_field_bytes = 100;
  auto p = feed("GET / HTTP/1.1\r\nHost: x\r\nX-A: " + std::string(100, 'a') + "\r\n\r\n", {}, limits);
  EXPECT_EQ(p->rejection, Rejection::headers_too_large);
}

TEST(RequestParserSplit, AHeaderBlockOverItsLimitIs431BeforeItEnds) {
  std::string text = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 20; ++i) text += "X-" + std::to_string(i) + ": " + std::string(4000, 'v') + "\r\n";
  auto p = feed(text, {30000, 60000, 70000});
  EXPECT_EQ(p->rejection, Rejection::headers_too_large);
}

TEST(RequestParserSplit, ARequestLineOverItsLimitIs414BeforeItEnds) {
  auto p = feed("GET /" + std::string(9000, 'a'), {1024, 4096});
  EXPECT_EQ(p->rejection, Rejection::uri_too_long);
}

TEST(RequestParserSplit, ARequestLineWithoutAVersionIs400AtOnce) {
  auto p = feed("GET / \r\n\r\n", {});
  EXPECT_EQ(p->rejection, Rejection::bad_request);
}

TEST(RequestParserSplit, ABareLineFeedInTheHeadIs400AtOnce) {
  auto p = feed("GET / HTTP/1.1\nHost: x\n", {});
  EXPECT_EQ(p->rejection, Rejection::bad_request);
  auto q = feed("GET / HTTP/1.1\r\nHost: x\nAccept: */*", {});
  EXPECT_EQ(q->rejection, Rejection::bad_request);
}

TEST(RequestParserSplit, AnHttp09RequestLineIsRefusedWithoutWaitingForMore) {
  auto p = feed("GET /\r\n", {});
  EXPECT_EQ(p->rejection, Rejection::bad_request);
  auto q = feed("GET / HTTP/1.1 extra\r\n", {});
  EXPECT_EQ(q->rejection, Rejection::bad_request);
}

TEST(RequestParserSplit, BytesThatAreNoRequestAreRefusedAtTheFirstByte) {
  auto p = feed(std::string("\x16\x03\x01\x02\x00", 5), {});
  EXPECT_EQ(p->rejection, Rejection::bad_request);
}

// A read that ends between a line's CR and LF: the CR is not part of the line.
TEST(RequestParserSplit, LinesAtTheirLimitsPassWhenAReadEndsAfterTheirCr) {
  std::string field = "Cookie: " + std::string(8 * 1024 - 8, 'c');
  std::string text = "GET / HTTP/1.1\r\nHost: x\r\n" + field + "\r\n\r\n";
  auto p = feed(text, {text.find(field) + field.size() + 1});
  EXPECT_EQ(p->rejection, Rejection::none);
  EXPECT_EQ(p->length, text.size());
  std::string line = "GET /" + std::string(8 * 1024 - 14, 'a') + " HTTP/1.1";
  ASSERT_EQ(line.size(), 8u * 1024);
  std::string request = line + "\r\nHost: x\r\n\r\n";
  auto q = feed(request, {line.size() + 1});
  EXPECT_EQ(q->rejection, Rejection::none);
}

TEST(RequestParserSplit, AHeaderBlockOfExactlyItsLimitPasses) {
  RequestLimits limits;
  limits.max_header_bytes = 1024;
  std::string block = "Host: x\r\n";
  block += "X-Pad: " + std::string(1024 - block.size() - 9, 'p') + "\r\n";
  ASSERT_EQ(block.size(), 1024u);
  std::string text = "GET / HTTP/1.1\r\n" + block + "\r\n";
  auto p = feed(text, {}, limits);
  EXPECT_EQ(p->rejection, Rejection::none);
  auto over = feed("GET / HTTP/1.1\r\nX: 1\r\n" + block + "\r\n", {}, limits);
  EXPECT_EQ(over->rejection, Rejection::headers_too_large);
}
}  // namespace baton::http

