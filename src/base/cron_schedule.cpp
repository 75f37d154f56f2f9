#include "base/cron_schedule.hpp"

#include <array>
#include <charconv>
#include <vector>

#include <fmt/format.h>

namespace baton {
namespace {
constexpr std::array<std::string_view, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDayNames = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
constexpr std::size_t kMaxExpression = 256;  // a real one is a few dozen characters
constexpr int kSearchDays = 8 * 366;         // covers a leap-day schedule

struct Field {
  std::string_view name;
  int min;
  int max;
  const std::string_view* names = nullptr;  // names for min, min+1, ...
  std::size_t name_count = 0;
  int last = max;  // where `*` and "a/n" end: 6 for weekdays, whose 7 is Sunday again
};

constexpr Field kSecond{"second", 0, 59};
constexpr Field kMinute{"minute", 0, 59};
constexpr Field kHour{"hour", 0, 23};
constexpr Field kDay{"day of month", 1, 31};
constexpr Field kMonth{"month", 1, 12, kMonthNames.data(), kMonthNames.size()};
constexpr Field kWeekday{"day of week", 0, 7, kDayNames.data(), kDayNames.size(), 6};

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

std::expected<int, std::string> value_of(std::string_view token, const Field& field) {
  if (token.empty()) return std::unexpected(fmt::format("empty value in the {} field", field.name));
  for (std::size_t i = 0; i < field.name_count; ++i)
    if (lower(token) == field.names[i]) return field.min + static_cast<int>(i);
  int value = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec != std::errc{} || end != token.data() + token.size())
    return std::unexpected(fmt::format("'{}' is not a number in the {} field", token, field.name));
  if (value < field.min || value > field.max)
    return std::unexpected(fmt::format("{} is out of range in the {} field ({}-{})", value, field.name, field.min, field.max));
  return value;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    auto at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

// Sets the bits `field` selects; `any` tells whether the field was a bare `*`.
template <std::size_t N>
std::expected<void, std::string> parse_field(std::string_view text, const Field& field, std::bitset<N>& bits,
                                             bool& any) {
  // As in Vixie cron, a field that starts with `*` (`*`, `*/2`) leaves the day fields' OR rule alone.
  any = text.starts_with('*') || text == "?";
  for (auto item : split(text, ',')) {
    int step = 1;
    bool stepped = false;
    if (auto slash = item.find('/'); slash != std::string_view::npos) {
      auto step_text = item.substr(slash + 1);
      auto [end, ec] = std::from_chars(step_text.data(), step_text.data() + step_text.size(), step);
      if (ec != std::errc{} || end != step_text.data() + step_text.size() || step < 1 || step > field.max)
        return std::unexpected(fmt::format("bad step '{}' in the {} field", step_text, field.name));
      item = item.substr(0, slash);
      stepped = true;
    }
    int from = field.min, to = field.last;
    if (item == "*" || item == "?") {
    } else if (auto dash = item.find('-'); dash != std::string_view::npos) {
      auto low = value_of(item.substr(0, dash), field);
      if (!low) return std::unexpected(low.error());
      auto high = value_of(item.substr(dash + 1), field);
      if (!high) return std::unexpected(high.error());
      if (*low > *high)
        return std::unexpected(fmt::format("range {}-{} goes backwards in the {} field", *low, *high, field.name));
      from = *low, to = *high;
    } else {
      auto value = value_of(item, field);
      if (!value) return std::unexpected(value.error());
      from = *value;
      to = stepped ? field.last : *value;  // "a/n": from a, every n
    }
    if (from > to) return std::unexpected(fmt::format("'{}' selects nothing in the {} field", item, field.name));
    for (int v = from; v <= to; v += step) bits.set(static_cast<std::size_t>(v == 7 && N == 7 ? 0 : v));
  }
  return {};
}

std::string_view expand_macro(std::string_view text) {
  if (text == "@yearly" || text == "@annually") return "0 0 1 1 *";
  if (text == "@monthly") return "0 0 1 * *";
  if (text == "@weekly") return "0 0 * * 0";
  if (text == "@daily" || text == "@midnight") return "0 0 * * *";
  if (text == "@hourly") return "0 * * * *";
  return {};
}

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}
}  // namespace

std::expected<CronSchedule, std::string> CronSchedule::parse(std::string_view text) {
  if (text.size() > kMaxExpression)
    return std::unexpected(fmt::format("longer than {} characters", kMaxExpression));
  for (char c : text)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e)
      if (c != '\t') return std::unexpected("has a control or non-ASCII character");
  CronSchedule schedule;
  schedule.text_ = std::string(text);
  std::string_view body = text;
  auto trimmed = words(text);
  if (trimmed.size() == 1 && trimmed[0].starts_with('@')) {
    auto macro = lower(trimmed[0]);
    body = expand_macro(macro);
    if (body.empty())
      return std::unexpected(fmt::format("unknown macro '{}' (@yearly, @monthly, @weekly, @daily, @hourly)", trimmed[0]));
  }
  auto fields = words(body);
  if (fields.size() != 5 && fields.size() != 6)
    return std::unexpected(fmt::format("has {} fields, not 5 (minute hour day month weekday) or 6 (with seconds first)",
                                       fields.size()));
  std::size_t at = 0;
  bool any = false;
  if (fields.size() == 6) {
    if (auto ok = parse_field(fields[at++], kSecond, schedule.seconds_, any); !ok) return std::unexpected(ok.error());
  } else {
    schedule.seconds_.set(0);
  }
  if (auto ok = parse_field(fields[at++], kMinute, schedule.minutes_, any); !ok) return std::unexpected(ok.error());
  if (auto ok = parse_field(fields[at++], kHour, schedule.hours_, any); !ok) return std::unexpected(ok.error());
  if (auto ok = parse_field(fields[at++], kDay, schedule.days_, schedule.any_day_); !ok)
    return std::unexpected(ok.error());
  if (auto ok = parse_field(fields[at++], kMonth, schedule.months_, any); !ok) return std::unexpected(ok.error());
  if (auto ok = parse_field(fields[at++], kWeekday, schedule.weekdays_, schedule.any_weekday_); !ok)
    return std::unexpected(ok.error());
  // 2001-01-01 00:00 UTC: any fixed start works, as the search spans every weekday and leap year.
  if (!schedule.next_after(978307200))
    return std::unexpected("never fires (no month has that day)");
  return schedule;
}

bool CronSchedule::matches_day(const std::tm& day) const {
  if (!months_.test(static_cast<std::size_t>(day.tm_mon + 1))) return false;
  bool by_day = days_.test(static_cast<std::size_t>(day.tm_mday));
  bool by_weekday = weekdays_.test(static_cast<std::size_t>(day.tm_wday));
  if (any_day_ && any_weekday_) return true;
  if (any_day_) return by_weekday;
  if (any_weekday_) return by_day;
  return by_day || by_weekday;
}

std::optional<std::time_t> CronSchedule::next_after(std::time_t after) const {
  std::tm local{};
  std::time_t start = after + 1;
  if (!localtime_r(&start, &local)) return std::nullopt;
  // Day by day (at most kSearchDays), then the first matching second of a matching day.
  std::tm day = local;
  bool first_day = true;
  for (int i = 0; i < kSearchDays; ++i) {
    if (matches_day(day)) {
      int h0 = first_day ? day.tm_hour : 0;
      for (int h = h0; h < 24; ++h) {
        if (!hours_.test(static_cast<std::size_t>(h))) continue;
        int m0 = first_day && h == day.tm_hour ? day.tm_min : 0;
        for (int m = m0; m < 60; ++m) {
          if (!minutes_.test(static_cast<std::size_t>(m))) continue;
          int s0 = first_day && h == day.tm_hour && m == day.tm_min ? day.tm_sec : 0;
          for (int s = s0; s < 60; ++s) {
            if (!seconds_.test(static_cast<std::size_t>(s))) continue;
            std::tm candidate = day;
            candidate.tm_hour = h, candidate.tm_min = m, candidate.tm_sec = s, candidate.tm_isdst = -1;
            std::time_t when = mktime(&candidate);
            // A time skipped by a clock change normalises elsewhere; keep only real later times.
            if (when != -1 && when >= start && candidate.tm_hour == h && candidate.tm_min == m) return when;
          }
        }
      }
    }
    first_day = false;
    day.tm_mday += 1;
    day.tm_hour = 0, day.tm_min = 0, day.tm_sec = 0, day.tm_isdst = -1;
    if (mktime(&day) == -1) return std::nullopt;
  }
  return std::nullopt;
}
}  // namespace baton
