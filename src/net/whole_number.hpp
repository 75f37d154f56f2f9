#pragma once
// The one strict parser for the whole numbers processes hand each other (LISTEN_FDS, a keeper's
// state, descriptor numbers, pids): the whole text, digits only (a '-' for signed types), no
// spaces, no '+', no overflow, within [low, high]. atoi's "12abc" is 12 and its "x" is 0; here
// both are refused. In net/ because baton-keeper, which uses it, compiles only net's plain sources.
#include <charconv>
#include <concepts>
#include <limits>
#include <optional>
#include <string_view>

namespace baton {
template <std::integral Number>
std::optional<Number> parse_whole_number(std::string_view text, Number low = std::numeric_limits<Number>::min(),
                                         Number high = std::numeric_limits<Number>::max(), int base = 10) {
  Number value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  if (value < low || value > high) return std::nullopt;
  return value;
}
}  // namespace baton
