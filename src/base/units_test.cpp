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
  EXPECT_EQ(parse_byte_size("10MiB").value(), 10u * 1024 * 1024);
  EXPECT_EQ(parse_byte_size("4KiB").value(), 4u * 1024);
  EXPECT_FALSE(parse_byte_size("10MiX").has_value());
  EXPECT_EQ(parse_byte_size("1g").value(), 1ull << 30);
}

TEST(ParseByteSize, RejectsGarbage) {
  EXPECT_FALSE(parse_byte_size("k").has_value());
  EXPECT_FALSE(parse_byte_size("10x").has_value());
  EXPECT_FALSE(parse_byte_size("18446744073709551615g").has_value());
  EXPECT_FALSE(parse_byte_size("10Mib").has_value());
  EXPECT_FALSE(parse_byte_size("10MiBs").has_value());
}

TEST(ParseByteSize, AcceptsIecUnitNames) {
  EXPECT_EQ(parse_byte_size("512MiB").value(), 512ull << 20);
  EXPECT_EQ(parse_byte_size("64KiB").value(), 64ull << 10);
  EXPECT_EQ(parse_byte_size("2GiB").value(), 2ull << 30);
}

TEST(ParseCpuAmount, PercentOfOneCoreOrCores) {
  EXPECT_EQ(parse_cpu_amount("50%").value(), 500u);
  EXPECT_EQ(parse_cpu_amount("12.5%").value(), 125u);
  EXPECT_EQ(parse_cpu_amount("250%").value(), 2500u);
  EXPECT_EQ(parse_cpu_amount("1.5").value(), 1500u);
  EXPECT_EQ(parse_cpu_amount("2").value(), 2000u);
  EXPECT_EQ(parse_cpu_amount("0.125").value(), 125u);
  EXPECT_EQ(parse_cpu_amount("0").value(), 0u) << "the range is the caller's to check";
}

TEST(ParseCpuAmount, RejectsGarbage) {
  for (const char* bad : {"", "%", "50 %", "-1", "1.", ".5", "1.5.0", "1,5", "0.0001", "12.25%", "half",
                          "99999999999", "1e3", "50%%"})
    EXPECT_FALSE(parse_cpu_amount(bad).has_value()) << bad;
}

TEST(FormatDuration, PicksTheLargestExactUnit) {
  EXPECT_EQ(format_duration(Millis(250)), "250ms");
  EXPECT_EQ(format_duration(Millis(5000)), "5s");
  EXPECT_EQ(format_duration(Millis(120'000)), "2m");
}
}  // namespace baton
