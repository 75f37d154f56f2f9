#include "base/units.hpp"

#include <gtest/gtest.h>

namespace baton {
TEST(ParseDuration, AcceptsEveryUnit) {
  EXPECT_EQ(parse_duration("250ms").value(), Millis(250));
  EXPECT_EQ(parse_duration("5s").value(), Millis(5000));
  EXPECT_EQ(parse_duration("7").value(), Millis(7000));
  EXPECT_EQ(parse_duration("2m").value(), Millis(120'000));
  EXPECT_EQ(parse_duration("1h").value(), Millis(3'600'000));
}

TEST(ParseDuration, RejectsGarbage) {
  EXPECT_FALSE(parse_duration("").has_value());
  EXPECT_FALSE(parse_duration("s").has_value());
  EXPECT_FALSE(parse_duration("-1s").has_value());
  EXPECT_FALSE(parse_duration("5 s").has_value());
  EXPECT_FALSE(parse_duration("5d").has_value());
  EXPECT_FALSE(parse_duration("99999999999999999999s").has_value());
}

TEST(ParseByteSize, AcceptsBinaryMultiples) {
  EXPECT_EQ(parse_byte_size("512").value(), 512u);
  EXPECT_EQ(parse_byte_size("64k").value(), 64u * 1024);
  EXPECT_EQ(parse_byte_size("10MB").value(), 10u * 1024 * 1024);
  EXPECT_EQ(parse_byte_size("1g").value(), 1ull << 30);
}

TEST(ParseByteSize, RejectsGarbage) {
  EXPECT_FALSE(parse_byte_size("k").has_value());
  EXPECT_FALSE(parse_byte_size("10x").has_value());
  EXPECT_FALSE(parse_byte_size("18446744073709551615g").has_value());
}

TEST(FormatDuration, PicksTheLargestExactUnit) {
  EXPECT_EQ(format_duration(Millis(250)), "250ms");
  EXPECT_EQ(format_duration(Millis(5000)), "5s");
  EXPECT_EQ(format_duration(Millis(120'000)), "2m");
}
}  // namespace baton
