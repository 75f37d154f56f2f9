#pragma once
// A canary's share of new clients: which release a request that is not pinned
// to one goes to, by weight. One fixed round of smooth weighted round-robin is
// built with the route table; a shared position walks it, so any run of N
// requests splits exactly by weight (within one), with no randomness and no lock.
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace baton {
class ReleaseSplit {
 public:
  static constexpr int kNone = -1;

  // Unweighted: every release takes new clients alike, as before canaries.
  ReleaseSplit() = default;
  // `releases`: the names of the releases that have targets, by release index. A release without a
  // weight gets 0; weights of releases without targets are dropped and the rest keep their ratio.
  // Weights that sum to 0 leave the split unweighted: routing to every target beats routing to none.
  ReleaseSplit(std::span<const std::string> releases, const std::map<std::string, unsigned>& weights,
               std::string_view canary);

  bool weighted() const { return !round_.empty(); }
  // Whether the release takes new clients and keeps its pinned ones (weight > 0).
  bool open(int release) const { return round_.empty() || weights_[static_cast<std::size_t>(release)] > 0; }
  // The release a new client at `position` of the round goes to; only when weighted().
  int at(std::uint64_t position) const { return round_[position % round_.size()]; }
  // The release `X-Baton-Canary: always` asks for; kNone when unnamed or without targets.
  int canary() const { return canary_; }
  // Where `never` goes: the heaviest open release but the canary; kNone when there is none.
  int live() const { return live_; }

 private:
  std::vector<unsigned> weights_;    // by release index
  std::vector<std::uint16_t> round_;  // a release index per position; as long as the weights' sum
  int canary_ = kNone;
  int live_ = kNone;
};
}  // namespace baton
