#include "base/units.hpp"

#include <charconv>
#include <fmt/format.h>

namespace baton {
namespace {
struct NumberAndSuffix {
  std::uint64_t number;
  std::string_view suffix;
};

std::expected<NumberAndSuffix, std::string> split_number(std::string_view text) {
  std::uint64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc{} || end == text.data())
    return std::unexpected(fmt::format("'{}' does not start with a whole number", text));
  return NumberAndSuffix{number, text.substr(end - text.data())};
}

std::expected<std::uint64_t, std::string> scaled(std::uint64_t n, std::uint64_t unit,
                                                 std::string_view text) {
  if (unit != 0 && n > UINT64_MAX / unit) return std::unexpected(fmt::format("'{}' is too large", text));
  return n * unit;
}
}  // namespace

std::expected<Millis, std::string> parse_duration(std::string_view text) {
  auto parts = split_number(text);
  if (!parts) return std::unexpected(parts.error());
  std::uint64_t unit = 0;
  if (parts->suffix == "ms") unit = 1;
  else if (parts->suffix == "s" || parts->suffix.empty()) unit = 1000;
  else if (parts->suffix == "m") unit = 60'000;
  else if (parts->suffix == "h") unit = 3'600'000;
  else return std::unexpected(fmt::format("'{}' has an unknown unit (use ms, s, m or h)", text));
  auto ms = scaled(parts->number, unit, text);
  if (!ms || *ms > 365ull * 24 * 3'600'000) return std::unexpected(fmt::format("'{}' is too large", text));
  return Millis(*ms);
}

std::expected<std::uint64_t, std::string> parse_byte_size(std::string_view text) {
  auto parts = split_number(text);
  if (!parts) return std::unexpected(parts.error());
  std::string_view s = parts->suffix;
  if (s.size() == 3 && s[1] == 'i' && s[2] == 'B') s = s.substr(0, 1);  // "MiB"
  if (s.size() == 2 && (s[1] == 'b' || s[1] == 'B')) s = s.substr(0, 1);
  std::uint64_t unit = 0;
  if (s.empty() || s == "b" || s == "B") unit = 1;
  else if (s == "k" || s == "K") unit = 1ull << 10;
  else if (s == "m" || s == "M") unit = 1ull << 20;
  else if (s == "g" || s == "G") unit = 1ull << 30;
  else return std::unexpected(fmt::format("'{}' has an unknown unit (use k, m, g or KiB, MiB, GiB)", text));
  return scaled(parts->number, unit, text);
}

std::expected<std::uint32_t, std::string> parse_cpu_amount(std::string_view text) {
  bool percent = text.ends_with('%');
  std::string_view number = percent ? text.substr(0, text.size() - 1) : text;
  auto dot = number.find('.');
  std::string_view whole = number.substr(0, dot);
  std::string_view fraction = dot == number.npos ? std::string_view{} : number.substr(dot + 1);
  auto digits = [](std::string_view s) { return s.find_first_not_of("0123456789") == s.npos; };
  if (whole.empty() || !digits(whole) || !digits(fraction) || (dot != number.npos && fraction.empty()))
    return std::unexpected(fmt::format("'{}' is not a CPU amount such as \"50%\" or \"1.5\" (cores)", text));
  // Thousandths of a core: a percent is 10 of them, so one decimal for percent, three for cores.
  std::size_t decimals = percent ? 1 : 3;
  if (fraction.size() > decimals)
    return std::unexpected(fmt::format("'{}' has more than {} decimal{}", text, decimals, decimals == 1 ? "" : "s"));
  if (whole.size() > 7) return std::unexpected(fmt::format("'{}' is too large", text));
  std::uint64_t value = 0;
  for (char c : whole) value = value * 10 + static_cast<std::uint64_t>(c - '0');
  for (std::size_t i = 0; i < decimals; ++i)
    value = value * 10 + (i < fraction.size() ? static_cast<std::uint64_t>(fraction[i] - '0') : 0);
  if (value > UINT32_MAX) return std::unexpected(fmt::format("'{}' is too large", text));
  return static_cast<std::uint32_t>(value);
}

std::string format_duration(Millis d) {
  auto ms = d.count();
  if (ms % 1000 != 0) return fmt::format("{}ms", ms);
  if (ms % 60'000 != 0 || ms == 0) return fmt::format("{}s", ms / 1000);
  return fmt::format("{}m", ms / 60'000);
}
}  // namespace baton
