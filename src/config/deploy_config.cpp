#include <array>
#include <utility>

#include "config/config.hpp"

namespace baton {
namespace {
constexpr std::array<std::pair<std::string_view, Strategy>, 4> kStrategyNames = {{
    {"rolling", Strategy::rolling},
    {"blue-green", Strategy::blue_green},
    {"recreate", Strategy::recreate},
    {"canary", Strategy::canary},
}};
}  // namespace

std::string_view to_string(Strategy strategy) {
  for (auto [name, value] : kStrategyNames)
    if (value == strategy) return name;
  return "unknown";
}

std::optional<Strategy> parse_strategy(std::string_view name) {
  // The enum's own spelling too, so a name copied from code works.
  if (name == "blue_green") return Strategy::blue_green;
  for (auto [text, value] : kStrategyNames)
    if (text == name) return value;
  return std::nullopt;
}
}  // namespace baton
