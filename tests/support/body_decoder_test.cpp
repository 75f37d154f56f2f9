#include "body_decoder.hpp"

#include <gtest/gtest.h>

#include <string>

namespace baton::test_backend {
namespace {

struct Decoded {
  std::string body;
  BodyStatus last = BodyStatus::need_more;
  std::size_t left_over = 0;  // input bytes after the body
};

// Feeds `input` in pieces of `step` bytes, the way reads arrive.
Decoded decode(BodyFraming framing, std::string_view input, std::size_t step) {
  BodyDecoder decoder(framing);
  Decoded out;
  std::string pending;
  std::size_t fed = 0;
  while (true) {
    auto s = decoder.next(pending);
    pending.erase(0, s.skip);
    out.last = s.status;
    if (s.status == BodyStatus::data) {
      out.body += pending.substr(0, s.length);
      pending.erase(0, s.length);
    } else if (s.status == BodyStatus::need_more && fed < input.size()) {
      pending += input.substr(fed, step);
      fed += step;
    } else {
      break;
    }
  }
  out.left_over = pending.size() + (fed < input.size() ? input.size() - fed : 0);
  return out;
}

constexpr std::string_view kChunked = "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\nNEXT";

TEST(BodyDecoder, DecodesChunkedBodiesWhateverTheReadSizes) {
  for (std::size_t step : {1u, 2u, 3u, 7u, 100u}) {
    auto d = decode({BodyKind::chunked, 0}, kChunked, step);
    EXPECT_EQ(d.last, BodyStatus::done) << step;
    EXPECT_EQ(d.body, "hello world") << step;
    EXPECT_EQ(d.left_over, 4u) << "the next request starts right after the trailers";
  }
}

TEST(BodyDecoder, StopsAtContentLength) {
  auto d = decode({BodyKind::length, 5}, "helloGET", 3);
  EXPECT_EQ(d.last, BodyStatus::done);
  EXPECT_EQ(d.body, "hello");
  EXPECT_EQ(d.left_over, 3u);
}

TEST(BodyDecoder, NoBodyIsDoneAtOnce) {
  EXPECT_EQ(decode({}, "GET", 3).last, BodyStatus::done);
}

TEST(BodyDecoder, RefusesBrokenChunking) {
  EXPECT_EQ(decode({BodyKind::chunked, 0}, "zz\r\nhello\r\n0\r\n\r\n", 100).last, BodyStatus::bad);
  EXPECT_EQ(decode({BodyKind::chunked, 0}, "5\r\nhelloXX0\r\n\r\n", 100).last, BodyStatus::bad);
  EXPECT_EQ(decode({BodyKind::chunked, 0}, "5 x\r\nhello\r\n0\r\n\r\n", 100).last, BodyStatus::bad);
  EXPECT_EQ(decode({BodyKind::chunked, 0}, "11111111111111111\r\n", 100).last, BodyStatus::bad);
  EXPECT_EQ(decode({BodyKind::chunked, 0}, std::string(5000, '1'), 100).last, BodyStatus::bad);
}

TEST(BodyDecoder, WaitsForMoreOnATruncatedBody) {
  EXPECT_EQ(decode({BodyKind::chunked, 0}, "5\r\nhel", 2).last, BodyStatus::need_more);
  EXPECT_EQ(decode({BodyKind::length, 10}, "hello", 2).last, BodyStatus::need_more);
}

}  // namespace
}  // namespace baton::test_backend
