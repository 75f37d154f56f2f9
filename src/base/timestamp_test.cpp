#include "base/timestamp.hpp"

#include <gtest/gtest.h>

namespace baton {
namespace {

TEST(Timestamp, UtcWithMillisecondsSortsAsText) {
  using namespace std::chrono;
  auto time = sys_days{year{2026} / 11 / 22} + hours(10) + milliseconds(123);
  EXPECT_EQ(format_timestamp(time), "2026-11-22T10:00:00.123Z");
  EXPECT_EQ(format_timestamp(sys_days{year{1999} / 1 / 2} + seconds(5)), "1999-01-02T00:00:05.000Z");
  EXPECT_EQ(format_timestamp(sys_days{year{2024} / 2 / 29} + hours(23) + minutes(59) + seconds(59) + milliseconds(999)),
            "2024-02-29T23:59:59.999Z");
  EXPECT_LT(format_timestamp(time), format_timestamp(time + milliseconds(1)));
}

TEST(Timestamp, ParsesWhatItWritesAndShorterForms) {
  using namespace std::chrono;
  auto time = sys_days{year{2026} / 11 / 22} + hours(10) + minutes(5) + seconds(7) + milliseconds(250);
  EXPECT_EQ(parse_timestamp("2026-11-22T10:05:07.250Z"), time);
  EXPECT_EQ(parse_timestamp("2026-11-22 10:05:07.250"), time);
  EXPECT_EQ(parse_timestamp("2026-11-22T10:05"), sys_days{year{2026} / 11 / 22} + hours(10) + minutes(5));
  EXPECT_EQ(parse_timestamp("2026-11-22"), system_clock::time_point(sys_days{year{2026} / 11 / 22}));
}

TEST(Timestamp, RefusesWhatIsNotATime) {
  for (auto bad : {"", "yesterday", "2026-13-01", "2026-02-30", "2026-11-22T24:00", "2026-11-22T10", "2026-11-22T10:60",
                   "2026-11-22T10:00:00.12", "2026-11-22T10:00Zx", "26-11-22", "2026-11-22+01:00", "10m",
                   "1969-12-31", "2999-01-01"})
    EXPECT_FALSE(parse_timestamp(bad)) << bad;
}
}  // namespace
}  // namespace baton
