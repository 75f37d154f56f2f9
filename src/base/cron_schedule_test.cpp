#include "base/cron_schedule.hpp"

#include <cstdlib>
#include <ctime>

#include <gtest/gtest.h>

namespace baton {
namespace {
class CronScheduleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tz = std::getenv("TZ");
    saved_ = tz ? std::optional<std::string>(tz) : std::nullopt;
    setenv("TZ", "UTC", 1);
    tzset();
  }
  void TearDown() override {
    if (saved_) setenv("TZ", saved_->c_str(), 1);
    else unsetenv("TZ");
    tzset();
  }

  // "2026-12-07 22:13:05" (UTC) as a time_t.
  static std::time_t at(int year, int month, int day, int hour, int minute, int second = 0) {
    std::tm tm{};
    tm.tm_year = year - 1900, tm.tm_mon = month - 1, tm.tm_mday = day;
    tm.tm_hour = hour, tm.tm_min = minute, tm.tm_sec = second;
    return timegm(&tm);
  }

  static std::time_t next(std::string_view text, std::time_t after) {
    auto schedule = CronSchedule::parse(text);
    EXPECT_TRUE(schedule) << text << ": " << (schedule ? "" : schedule.error());
    if (!schedule) return 0;
    auto when = schedule->next_after(after);
    EXPECT_TRUE(when) << text;
    return when.value_or(0);
  }

 private:
  std::optional<std::string> saved_;
};

TEST_F(CronScheduleTest, EveryMinuteFiresAtTheNextWholeMinute) {
  EXPECT_EQ(next("* * * * *", at(2026, 12, 7, 22, 13, 5)), at(2026, 12, 7, 22, 14));
  // Strictly after: a time that matches gives the next one.
  EXPECT_EQ(next("* * * * *", at(2026, 12, 7, 22, 14)), at(2026, 12, 7, 22, 15));
}

TEST_F(CronScheduleTest, NightlyAtThreeRollsOverToTheNextDayAndMonthAndYear) {
  EXPECT_EQ(next("0 3 * * *", at(2026, 12, 7, 2, 59)), at(2026, 12, 7, 3, 0));
  EXPECT_EQ(next("0 3 * * *", at(2026, 12, 7, 3, 0)), at(2026, 12, 8, 3, 0));
  EXPECT_EQ(next("0 3 * * *", at(2026, 12, 31, 4, 0)), at(2027, 1, 1, 3, 0));
}

TEST_F(CronScheduleTest, SixFieldsTakeSecondsFirst) {
  EXPECT_EQ(next("*/2 * * * * *", at(2026, 12, 7, 22, 13, 5)), at(2026, 12, 7, 22, 13, 6));
  EXPECT_EQ(next("30 0 12 * * *", at(2026, 12, 7, 13, 0)), at(2026, 12, 8, 12, 0, 30));
}

TEST_F(CronScheduleTest, RangesStepsListsAndNames) {
  // Weekdays at 9 and 17: 2026-12-11 is a Friday, so after Friday 17:00 comes Monday 9:00.
  EXPECT_EQ(next("0 9,17 * * mon-fri", at(2026, 12, 11, 17, 0)), at(2026, 12, 14, 9, 0));
  EXPECT_EQ(next("*/15 * * * *", at(2026, 12, 7, 22, 46)), at(2026, 12, 7, 23, 0));
  EXPECT_EQ(next("10-20/5 * * * *", at(2026, 12, 7, 22, 16)), at(2026, 12, 7, 22, 20));
  EXPECT_EQ(next("5/20 * * * *", at(2026, 12, 7, 22, 26)), at(2026, 12, 7, 22, 45));
  EXPECT_EQ(next("0 0 1 JAN,jul *", at(2026, 12, 7, 0, 0)), at(2027, 1, 1, 0, 0));
  // 7 is Sunday as 0 is: 2026-12-13 is a Sunday.
  EXPECT_EQ(next("0 0 * * 7", at(2026, 12, 7, 0, 0)), at(2026, 12, 13, 0, 0));
  EXPECT_EQ(next("0 0 * * 1/2", at(2026, 12, 12, 0, 0)), at(2026, 12, 14, 0, 0));  // Mon, Wed, Fri only
}

TEST_F(CronScheduleTest, DayOfMonthAndWeekdayBothRestrictedMatchEither) {
  // The 15th, or any Monday: after Thursday 2026-12-10 comes Monday the 14th.
  EXPECT_EQ(next("0 0 15 * 1", at(2026, 12, 10, 0, 0)), at(2026, 12, 14, 0, 0));
  EXPECT_EQ(next("0 0 15 * 1", at(2026, 12, 14, 0, 0)), at(2026, 12, 15, 0, 0));
}

TEST_F(CronScheduleTest, AStarredDayFieldLeavesTheOtherToDecideAsInVixieCron) {
  // Every other day of the month AND Mondays would be an OR if */2 counted as restricted.
  EXPECT_EQ(next("0 0 */2 * mon", at(2026, 12, 8, 0, 0)), at(2026, 12, 14, 0, 0));
}

TEST_F(CronScheduleTest, MacrosAndLeapDays) {
  EXPECT_EQ(next("@daily", at(2026, 12, 7, 22, 0)), at(2026, 12, 8, 0, 0));
  EXPECT_EQ(next("@hourly", at(2026, 12, 7, 22, 0)), at(2026, 12, 7, 23, 0));
  EXPECT_EQ(next("@weekly", at(2026, 12, 7, 22, 0)), at(2026, 12, 13, 0, 0));
  EXPECT_EQ(next("@monthly", at(2026, 12, 7, 22, 0)), at(2027, 1, 1, 0, 0));
  EXPECT_EQ(next("@yearly", at(2026, 12, 7, 22, 0)), at(2027, 1, 1, 0, 0));
  EXPECT_EQ(next(" @DAILY ", at(2026, 12, 7, 22, 0)), at(2026, 12, 8, 0, 0));
  EXPECT_EQ(next("0 0 29 2 *", at(2026, 12, 7, 0, 0)), at(2028, 2, 29, 0, 0));
}

TEST(CronScheduleErrors, NameTheFieldAndTheProblem) {
  struct Case {
    const char* text;
    const char* error;
  };
  for (auto [text, error] : {Case{"", "has 0 fields"},
                             Case{"* * * *", "has 4 fields"},
                             Case{"* * * * * * *", "has 7 fields"},
                             Case{"60 * * * *", "60 is out of range in the minute field (0-59)"},
                             Case{"* 24 * * *", "out of range in the hour field"},
                             Case{"* * 0 * *", "out of range in the day of month field"},
                             Case{"* * * 13 *", "out of range in the month field"},
                             Case{"* * * * 8", "out of range in the day of week field"},
                             Case{"* * * foo *", "'foo' is not a number in the month field"},
                             Case{"*/0 * * * *", "bad step '0' in the minute field"},
                             Case{"*/x * * * *", "bad step 'x'"},
                             Case{"20-10 * * * *", "range 20-10 goes backwards"},
                             Case{"1,,2 * * * *", "empty value in the minute field"},
                             Case{"- * * * *", "empty value"},
                             Case{"0 0 30 2 *", "never fires"},
                             Case{"0 0 31 4,6 *", "never fires"},
                             Case{"@reboot", "unknown macro '@reboot'"},
                             Case{"0 0 * * 7/2", "'7' selects nothing in the day of week field"},
                             Case{"* * * * *\n", "control or non-ASCII"}}) {
    auto parsed = CronSchedule::parse(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_NE(parsed.error().find(error), std::string::npos) << text << " -> " << parsed.error();
  }
  EXPECT_FALSE(CronSchedule::parse(std::string(300, '*')));
}
}  // namespace
}  // namespace baton
