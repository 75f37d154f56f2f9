#include "balancer/release_split.hpp"

#include <algorithm>
#include <numeric>

namespace baton {
namespace {
// Weights are percentages; a larger one would only make the round longer.
constexpr unsigned kMaxWeight = 100;

// nginx's smooth weighted round-robin: every step each release gains its weight and the one
// furthest ahead is taken and set back by the total. A light release is spread through the
// round instead of bunched at its end.
std::vector<std::uint16_t> smooth_round(const std::vector<unsigned>& weights) {
  long total = std::accumulate(weights.begin(), weights.end(), 0L);
  std::vector<long> current(weights.size(), 0);
  std::vector<std::uint16_t> round;
  round.reserve(static_cast<std::size_t>(total));
  for (long step = 0; step < total; ++step) {
    std::size_t best = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      current[i] += weights[i];
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    round.push_back(static_cast<std::uint16_t>(best));
  }
  return round;
}
}  // namespace

ReleaseSplit::ReleaseSplit(std::span<const std::string> releases, const std::map<std::string, unsigned>& weights,
                           std::string_view canary) {
  for (std::size_t i = 0; i < releases.size(); ++i) {
    auto found = weights.find(releases[i]);
    weights_.push_back(found == weights.end() ? 0 : std::min(found->second, kMaxWeight));
    if (!canary.empty() && releases[i] == canary) canary_ = static_cast<int>(i);
  }
  if (!weights.empty()) round_ = smooth_round(weights_);
  for (std::size_t i = 0; i < releases.size(); ++i) {
    int index = static_cast<int>(i);
    bool heavier = live_ == kNone || weights_[i] > weights_[static_cast<std::size_t>(live_)];
    if (index != canary_ && open(index) && heavier) live_ = index;
  }
}
}  // namespace baton
