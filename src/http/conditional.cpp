#include "http/conditional.hpp"

#include <array>
#include <algorithm>
#include <charconv>
#include <ctime>

#include "http/header_rules.hpp"

namespace baton::http {
namespace {
constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

template <typename T>
std::optional<T> number(std::string_view text) {
  T value{};
  if (text.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string_view opaque_tag(std::string_view tag) {
  tag = trim_ows(tag);
  if (tag.starts_with("W/")) tag.remove_prefix(2);
  return tag;
}

// q=0 means "not acceptable"; anything else (or no q) accepts.
bool q_allows(std::string_view params) {
  for (std::size_t start = 0; start < params.size();) {
    auto end = std::min(params.find(';', start), params.size());
    auto param = trim_ows(params.substr(start, end - start));
    if (param.size() > 2 && iequals(param.substr(0, 2), "q=")) {
      auto value = param.substr(2);
      return value.find_first_not_of("0.") != std::string_view::npos;
    }
    start = end + 1;
  }
  return true;
}
}  // namespace

namespace {
void append_hex(std::string& out, std::uint64_t value) {
  char digits[16];
  auto end = std::to_chars(digits, digits + sizeof digits, value, 16).ptr;
  out.append(digits, end);
}

void append_two_digits(std::string& out, unsigned value) {
  out += static_cast<char>('0' + value / 10);
  out += static_cast<char>('0' + value % 10);
}

// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's civil_from_days).
// gmtime_r would do, but glibc takes its timezone lock even for UTC, on every response.
struct CivilDate {
  std::int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};
CivilDate civil_from_days(std::int64_t days) {
  days += 719468;
  std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  auto day_of_era = static_cast<unsigned>(days - era * 146097);
  unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  unsigned mp = (5 * day_of_year + 2) / 153;
  unsigned day = day_of_year - (153 * mp + 2) / 5 + 1;
  unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2), month, day};
}
}  // namespace

std::string make_etag(std::uint64_t size, std::int64_t mtime_seconds, long mtime_nanoseconds,
                      std::string_view coding) {
  std::string out;
  out += '"';
  append_hex(out, size);
  out += '-';
  append_hex(out, static_cast<std::uint64_t>(mtime_seconds));
  append_hex(out, static_cast<std::uint64_t>(mtime_nanoseconds));
  if (!coding.empty()) {
    out += '-';
    out += coding;
  }
  out += '"';
  return out;
}

std::string format_http_date(std::int64_t unix_seconds) {
  std::string text;
  append_http_date(text, unix_seconds);
  return text;
}

void append_http_date(std::string& out, std::int64_t unix_seconds) {
  // Years 0 to 9999, the four digits the format has: a file time outside them (a tar archive's
  // pax mtime can say anything) is shown at the nearest end, and the arithmetic cannot overflow.
  constexpr std::int64_t kFirst = -62167219200;  // 0000-01-01T00:00:00Z
  constexpr std::int64_t kLast = 253402300799;   // 9999-12-31T23:59:59Z
  unix_seconds = std::clamp(unix_seconds, kFirst, kLast);
  constexpr std::int64_t kDay = 86400;
  std::int64_t days = unix_seconds >= 0 ? unix_seconds / kDay : (unix_seconds - kDay + 1) / kDay;
  auto seconds_of_day = static_cast<unsigned>(unix_seconds - days * kDay);
  auto date = civil_from_days(days);
  auto weekday = static_cast<unsigned>(((days + 4) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
  out += kDays[weekday];
  out += ", ";
  append_two_digits(out, date.day);
  out += ' ';
  out += kMonths[date.month - 1];
  out += ' ';
  char year[24];
  auto year_end = std::to_chars(year, year + sizeof year, date.year).ptr;
  for (auto digits = year_end - year; digits < 4; ++digits) out += '0';
  out.append(year, year_end);
  out += ' ';
  append_two_digits(out, seconds_of_day / 3600);
  out += ':';
  append_two_digits(out, seconds_of_day / 60 % 60);
  out += ':';
  append_two_digits(out, seconds_of_day % 60);
  out += " GMT";
}

std::optional<std::int64_t> parse_http_date(std::string_view text) {
  text = trim_ows(text);
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  if (text.size() != 29 || text[3] != ',' || text[4] != ' ' || text.substr(25) != " GMT") return std::nullopt;
  std::tm tm{};
  auto day = number<int>(text.substr(5, 2));
  auto year = number<int>(text.substr(12, 4));
  auto hour = number<int>(text.substr(17, 2));
  auto minute = number<int>(text.substr(20, 2));
  auto second = number<int>(text.substr(23, 2));
  auto month_name = text.substr(8, 3);
  int month = -1;
  for (std::size_t i = 0; i < kMonths.size(); ++i)
    if (kMonths[i] == month_name) month = static_cast<int>(i);
  if (!day || !year || !hour || !minute || !second || month < 0 || text[16] != ' ' || text[19] != ':' ||
      text[22] != ':')
    return std::nullopt;
  tm.tm_mday = *day;
  tm.tm_mon = month;
  tm.tm_year = *year - 1900;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  return static_cast<std::int64_t>(timegm(&tm));
}

bool none_match_hits(std::string_view if_none_match, std::string_view etag) {
  if (trim_ows(if_none_match) == "*") return true;
  auto wanted = opaque_tag(etag);
  for (std::size_t start = 0; start < if_none_match.size();) {
    auto end = std::min(if_none_match.find(',', start), if_none_match.size());
    if (opaque_tag(if_none_match.substr(start, end - start)) == wanted) return true;
    start = end + 1;
  }
  return false;
}

RangeDecision decide_range(std::string_view range, std::uint64_t size) {
  range = trim_ows(range);
  if (range.size() < 6 || !iequals(range.substr(0, 6), "bytes=")) return {};
  auto spec = trim_ows(range.substr(6));
  auto dash = spec.find('-');
  if (dash == std::string_view::npos || spec.find(',') != std::string_view::npos) return {};
  auto first_text = trim_ows(spec.substr(0, dash));
  auto last_text = trim_ows(spec.substr(dash + 1));
  if (first_text.empty()) {  // "-N": the last N bytes
    auto suffix = number<std::uint64_t>(last_text);
    if (!suffix) return {};
    if (*suffix == 0 || size == 0) return {RangeKind::unsatisfiable, {}};
    auto length = std::min(*suffix, size);
    return {RangeKind::partial, {size - length, length}};
  }
  auto first = number<std::uint64_t>(first_text);
  auto last = last_text.empty() ? std::optional<std::uint64_t>(UINT64_MAX) : number<std::uint64_t>(last_text);
  if (!first || !last || *last < *first) return {};
  if (*first >= size) return {RangeKind::unsatisfiable, {}};
  auto end = std::min(*last, size - 1);
  return {RangeKind::partial, {*first, end - *first + 1}};
}

bool accepts_coding(std::string_view accept_encoding, std::string_view coding) {
  for (std::size_t start = 0; start < accept_encoding.size();) {
    auto end = std::min(accept_encoding.find(',', start), accept_encoding.size());
    auto item = trim_ows(accept_encoding.substr(start, end - start));
    auto semicolon = std::min(item.find(';'), item.size());
    auto name = trim_ows(item.substr(0, semicolon));
    if ((iequals(name, coding) || name == "*") && q_allows(item.substr(semicolon))) return true;
    start = end + 1;
  }
  return false;
}
}  // namespace baton::http
