#include "net/whole_number.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <sys/types.h>

namespace baton {
TEST(WholeNumber, TakesTheWholeTextWithinItsRange) {
  EXPECT_EQ(parse_whole_number<int>("42"), 42);
  EXPECT_EQ(parse_whole_number<int>("-1", -1), -1);
  EXPECT_EQ(parse_whole_number<int>("0", 0, 4096), 0);
  EXPECT_EQ(parse_whole_number<int>("4096", 0, 4096), 4096);
  EXPECT_EQ(parse_whole_number<unsigned>("0755", 0, 07777, 8), 0755u);
  EXPECT_EQ(parse_whole_number<std::uint64_t>("0000000000010000", 0, UINT64_MAX, 16), 0x10000u);
  EXPECT_EQ(parse_whole_number<std::int64_t>("9223372036854775807"), INT64_MAX);
}

// What atoi, atol, sscanf and stoull let through.
TEST(WholeNumber, RefusesWhatLaxParsersTake) {
  for (std::string_view text : {"", " 1", "1 ", "+1", "12abc", "x", "1.5", "0x10", "1e3", "--1", "\n3", "3\n"})
    EXPECT_FALSE(parse_whole_number<int>(text).has_value()) << "'" << text << "'";
  EXPECT_FALSE(parse_whole_number<int>("2147483648").has_value()) << "overflow";
  EXPECT_FALSE(parse_whole_number<pid_t>("99999999999999999999").has_value());
  EXPECT_FALSE(parse_whole_number<unsigned>("-1").has_value()) << "no wrap to UINT_MAX";
  EXPECT_FALSE(parse_whole_number<int>("0", 1).has_value()) << "below the range";
  EXPECT_FALSE(parse_whole_number<int>("4097", 0, 4096).has_value()) << "above the range";
  EXPECT_FALSE(parse_whole_number<unsigned>("8", 0, 07777, 8).has_value()) << "not an octal digit";
}
}  // namespace baton
