#include "config/canary_rules.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace baton {
namespace {
constexpr std::size_t kMaxCanarySteps = 20;
}  // namespace

std::expected<void, std::string> check_canary_steps(std::span<const unsigned> steps) {
  if (steps.empty()) return std::unexpected("needs at least one step, e.g. 5,25,50");
  if (steps.size() > kMaxCanarySteps) return std::unexpected(fmt::format("has more than {} steps", kMaxCanarySteps));
  unsigned previous = 0;
  for (auto share : steps) {
    if (share < 1 || share > 99)
      return std::unexpected(fmt::format("step {}% is not a share from 1 to 99 (100 is the promotion)", share));
    if (share <= previous)
      return std::unexpected(fmt::format("steps must increase: {}% comes after {}%", share, previous));
    previous = share;
  }
  return {};
}

std::expected<std::vector<unsigned>, std::string> parse_canary_steps(std::string_view text) {
  std::vector<unsigned> steps;
  while (true) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    if (!item.empty() && item.back() == '%') item.remove_suffix(1);
    unsigned share = 0;
    auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), share);
    if (item.empty() || error != std::errc() || end != item.data() + item.size())
      return std::unexpected(fmt::format("'{}' is not a whole percentage", text.substr(0, comma)));
    steps.push_back(share);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (auto checked = check_canary_steps(steps); !checked) return std::unexpected(checked.error());
  return steps;
}

std::expected<double, std::string> parse_percent(std::string_view text) {
  if (text.empty() || text.back() != '%')
    return std::unexpected(fmt::format("'{}' is not a percentage such as \"1%\"", text));
  auto number = text.substr(0, text.size() - 1);
  double value = 0;
  auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || error != std::errc() || end != number.data() + number.size() || !std::isfinite(value))
    return std::unexpected(fmt::format("'{}' is not a percentage such as \"1%\"", text));
  if (value < 0 || value > 100) return std::unexpected(fmt::format("'{}' is not from 0% to 100%", text));
  return value / 100.0;
}

std::expected<void, std::string> check_p99_ratio(double ratio) {
  if (!std::isfinite(ratio) || ratio < 1.0 || ratio > 100.0)
    return std::unexpected(fmt::format("{} is not a ratio from 1 to 100", ratio));
  return {};
}
}  // namespace baton
