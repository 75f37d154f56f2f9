#include "http/conditional.hpp"

#include <gtest/gtest.h>

#include <ctime>

#include "http/static_rules.hpp"

namespace baton::http {
namespace {
TEST(HttpDate, FormatsAndParsesImfFixdate) {
  EXPECT_EQ(format_http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), std::nullopt);
  EXPECT_EQ(parse_http_date("garbage"), std::nullopt);
}

// The hand-written calendar against the C library's, across leap days, centuries and 1970.
std::string strftime_date(std::int64_t t) {
  std::time_t time = static_cast<std::time_t>(t);
  std::tm utc{};
  gmtime_r(&time, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
  return text;
}

TEST(HttpDate, FormatsEverySecondAsGmtimeDoes) {
  for (std::int64_t t : {0L, -1L, 59L, 86399L, 86400L, 951782400L, 951868799L, 4107542399L, -86401L, 1709164800L,
                         253402300799L, -2208988800L})
    EXPECT_EQ(format_http_date(t), strftime_date(t)) << t;
  for (std::int64_t t = -3000000000; t < 5000000000; t += 7777777) ASSERT_EQ(format_http_date(t), strftime_date(t)) << t;
}

TEST(HttpDate, TimesPastTheFourDigitYearsAreShownAtTheNearestEnd) {
  EXPECT_EQ(format_http_date(INT64_MIN), "Sat, 01 Jan 0000 00:00:00 GMT");
  EXPECT_EQ(format_http_date(INT64_MAX), "Fri, 31 Dec 9999 23:59:59 GMT");
  EXPECT_EQ(format_http_date(-62167219200), "Sat, 01 Jan 0000 00:00:00 GMT");
}

TEST(Etag, ChangesWithSizeTimeAndCoding) {
  auto plain = make_etag(10, 100, 5);
  EXPECT_TRUE(plain.starts_with('"') && plain.ends_with('"'));
  EXPECT_NE(plain, make_etag(11, 100, 5));
  EXPECT_NE(plain, make_etag(10, 101, 5));
  EXPECT_NE(plain, make_etag(10, 100, 5, "br"));
}

TEST(IfNoneMatch, ListsStarAndWeakTags) {
  EXPECT_TRUE(none_match_hits("\"a\"", "\"a\""));
  EXPECT_TRUE(none_match_hits("\"x\", W/\"a\"", "\"a\""));
  EXPECT_TRUE(none_match_hits("*", "\"a\""));
  EXPECT_FALSE(none_match_hits("\"b\"", "\"a\""));
}

TEST(Range, SingleRangesAndTheirEdges) {
  auto r = decide_range("bytes=0-9", 100);
  EXPECT_EQ(r.kind, RangeKind::partial);
  EXPECT_EQ(r.range.first, 0u);
  EXPECT_EQ(r.range.length, 10u);
  r = decide_range("bytes=90-", 100);
  EXPECT_EQ(r.range.first, 90u);
  EXPECT_EQ(r.range.length, 10u);
  r = decide_range("bytes=95-500", 100);
  EXPECT_EQ(r.range.length, 5u);
  r = decide_range("bytes=-30", 100);
  EXPECT_EQ(r.range.first, 70u);
  EXPECT_EQ(r.range.length, 30u);
  r = decide_range("bytes=-300", 100);
  EXPECT_EQ(r.range.first, 0u);
  EXPECT_EQ(r.range.length, 100u);
  EXPECT_EQ(decide_range("bytes=100-", 100).kind, RangeKind::unsatisfiable);
  EXPECT_EQ(decide_range("bytes=-0", 100).kind, RangeKind::unsatisfiable);
  EXPECT_EQ(decide_range("bytes=0-1,5-6", 100).kind, RangeKind::whole);
  EXPECT_EQ(decide_range("bytes=5-1", 100).kind, RangeKind::whole);
  EXPECT_EQ(decide_range("items=0-1", 100).kind, RangeKind::whole);
  EXPECT_EQ(decide_range("bytes=x-1", 100).kind, RangeKind::whole);
}

TEST(AcceptEncoding, HonoursQZero) {
  EXPECT_TRUE(accepts_coding("gzip, deflate, br", "br"));
  EXPECT_TRUE(accepts_coding("GZIP;q=0.5", "gzip"));
  EXPECT_FALSE(accepts_coding("gzip;q=0", "gzip"));
  EXPECT_FALSE(accepts_coding("gzip;q=0.000", "gzip"));
  EXPECT_FALSE(accepts_coding("identity", "br"));
  EXPECT_TRUE(accepts_coding("*", "br"));
}

// Only letters fold: OR-ing 0x20 into every byte also made '@' match '`', '[' match '{' and
// '=' match the control byte 0x1d.
TEST(CaseInsensitiveTokens, OnlyLettersFold) {
  EXPECT_EQ(decide_range("BYTES=0-9", 100).kind, RangeKind::partial);
  EXPECT_EQ(decide_range("bytes\x1d" "0-9", 100).kind, RangeKind::whole);
  EXPECT_FALSE(accepts_coding("gzip;Q=0", "gzip"));
  EXPECT_TRUE(accepts_coding("gzip;q\x1d" "0", "gzip"));
  EXPECT_TRUE(accepts_coding("X-GZIP", "x-gzip"));
  EXPECT_FALSE(accepts_coding("x\rgzip", "x-gzip"));
  EXPECT_FALSE(accepts_coding("{br}", "[br]"));
  EXPECT_FALSE(accepts_coding("`br", "@br"));
}

TEST(StaticRules, ContentTypes) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("a/b/APP.JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("font.woff2"), "font/woff2");
  EXPECT_EQ(content_type_for("README"), "application/octet-stream");
  EXPECT_TRUE(is_compressible(content_type_for("x.css")));
  EXPECT_FALSE(is_compressible(content_type_for("x.png")));
}

TEST(StaticRules, ContentHashedNames) {
  EXPECT_TRUE(is_content_hashed("assets/app.3f9a1c2e.js"));
  EXPECT_TRUE(is_content_hashed("index-B7x2kQ9d.css"));
  EXPECT_TRUE(is_content_hashed("chunk-vendors.0a1b2c3d4e.js.map"));
  EXPECT_FALSE(is_content_hashed("index.html"));
  EXPECT_FALSE(is_content_hashed("components.js"));
  EXPECT_FALSE(is_content_hashed("3f9a1c2e3d.js"));  // the hash-looking part is the name itself
  EXPECT_FALSE(is_content_hashed("app.abcdefgh"));    // the extension, and no digit
  EXPECT_TRUE(has_no_extension("settings/profile"));
  EXPECT_FALSE(has_no_extension("v1.2/logo.png"));
}
}  // namespace
}  // namespace baton::http
