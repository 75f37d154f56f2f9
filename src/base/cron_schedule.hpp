#pragma once
// A cron expression (`cron_restart`): five fields (minute hour day-of-month month day-of-week) or six
// with seconds first, as PM2's cron_restart takes them. No packaged C++ cron library is in Debian,
// so this is a small strict parser: numbers, `*`, ranges `a-b`, steps `*/n` `a-b/n` `a/n`, lists,
// month and day names (jan, mon), 7 as Sunday, and @yearly @monthly @weekly @daily @hourly.
// Times are the daemon's local time (TZ). Day-of-month and day-of-week, when both are restricted,
// match either one, as in classic cron.
#include <bitset>
#include <ctime>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace baton {
class CronSchedule {
 public:
  // An error names the field and what is wrong with it; a schedule that can never fire (30 February)
  // is an error too.
  static std::expected<CronSchedule, std::string> parse(std::string_view text);

  // The first matching second strictly after `after`; nullopt when none within eight years.
  std::optional<std::time_t> next_after(std::time_t after) const;
  const std::string& text() const { return text_; }
  bool operator==(const CronSchedule& other) const { return text_ == other.text_; }

 private:
  bool matches_day(const std::tm& day) const;

  std::string text_;
  std::bitset<60> seconds_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;    // 1..31
  std::bitset<13> months_;  // 1..12
  std::bitset<7> weekdays_;  // 0 = Sunday
  bool any_day_ = true;
  bool any_weekday_ = true;
};
}  // namespace baton
