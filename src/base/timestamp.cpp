#include "base/timestamp.hpp"

namespace baton {
namespace {
char* digits(unsigned value, int count, char* out) {
  for (int i = count - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + count;
}

// `count` decimal digits at the front of `text`, consumed.
std::optional<unsigned> take_number(std::string_view& text, std::size_t count) {
  if (text.size() < count) return std::nullopt;
  unsigned value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(text[i] - '0');
  }
  text.remove_prefix(count);
  return value;
}

bool take(std::string_view& text, char c) {
  if (text.empty() || text.front() != c) return false;
  text.remove_prefix(1);
  return true;
}

// HH:MM[:SS[.fff]] after a date; false when malformed.
bool take_time_of_day(std::string_view& text, std::chrono::milliseconds& into) {
  using namespace std::chrono;
  auto hour = take_number(text, 2);
  if (!hour || *hour > 23 || !take(text, ':')) return false;
  auto minute = take_number(text, 2);
  if (!minute || *minute > 59) return false;
  into = hours(*hour) + minutes(*minute);
  if (!take(text, ':')) return true;
  auto second = take_number(text, 2);
  if (!second || *second > 59) return false;
  into += seconds(*second);
  if (!take(text, '.')) return true;
  auto millis = take_number(text, 3);
  if (!millis) return false;
  into += milliseconds(*millis);
  return true;
}
}  // namespace

void write_timestamp(std::chrono::system_clock::time_point time, char* out) {
  using namespace std::chrono;
  auto ms = floor<milliseconds>(time);
  auto midnight = floor<days>(ms);
  year_month_day date{midnight};
  hh_mm_ss clock{ms - midnight};
  out = digits(static_cast<unsigned>(static_cast<int>(date.year())), 4, out);
  *out++ = '-';
  out = digits(static_cast<unsigned>(date.month()), 2, out);
  *out++ = '-';
  out = digits(static_cast<unsigned>(date.day()), 2, out);
  *out++ = 'T';
  out = digits(static_cast<unsigned>(clock.hours().count()), 2, out);
  *out++ = ':';
  out = digits(static_cast<unsigned>(clock.minutes().count()), 2, out);
  *out++ = ':';
  out = digits(static_cast<unsigned>(clock.seconds().count()), 2, out);
  *out++ = '.';
  out = digits(static_cast<unsigned>(clock.subseconds().count()), 3, out);
  *out = 'Z';
}

std::string format_timestamp(std::chrono::system_clock::time_point time) {
  std::string text(kTimestampLength, '\0');
  write_timestamp(time, text.data());
  return text;
}

std::optional<std::chrono::system_clock::time_point> parse_timestamp(std::string_view text) {
  using namespace std::chrono;
  // A system_clock time point counts nanoseconds in 64 bits: it ends in 2262.
  auto y = take_number(text, 4);
  if (!y || *y < 1970 || *y >= 2200 || !take(text, '-')) return std::nullopt;
  auto m = take_number(text, 2);
  if (!m || !take(text, '-')) return std::nullopt;
  auto d = take_number(text, 2);
  if (!d) return std::nullopt;
  year_month_day date{year(static_cast<int>(*y)), month(*m), day(*d)};
  if (!date.ok()) return std::nullopt;
  milliseconds time_of_day{0};
  if ((take(text, 'T') || take(text, ' ')) && !take_time_of_day(text, time_of_day)) return std::nullopt;
  take(text, 'Z');
  if (!text.empty()) return std::nullopt;
  return system_clock::time_point(sys_days(date) + time_of_day);
}
}  // namespace baton
