#include "balancer/release_split.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace baton {
namespace {
const std::vector<std::string> kSplitLiveAndCanary{"r1", "r2"};

// How often `release` comes up in positions [from, from + count).
int share_in_round(const ReleaseSplit& split, int release, std::uint64_t from, std::uint64_t count) {
  int n = 0;
  for (auto p = from; p < from + count; ++p) n += split.at(p) == release;
  return n;
}
}  // namespace

TEST(ReleaseSplit, RunsOfRequestsSplitExactlyByWeight) {
  ReleaseSplit split(kSplitLiveAndCanary, {{"r1", 95}, {"r2", 5}}, "r2");
  ASSERT_TRUE(split.weighted());
  EXPECT_EQ(share_in_round(split, 1, 0, 1000), 50);
  EXPECT_EQ(share_in_round(split, 1, 37, 100), 5) << "any whole round, wherever it starts";
  // Spread through the round, not bunched: every prefix is within one of its exact share.
  for (std::uint64_t n = 1; n <= 300; ++n)
    EXPECT_LE(std::abs(share_in_round(split, 1, 0, n) - static_cast<double>(n) * 0.05), 1.0) << n;
}

TEST(ReleaseSplit, ThreeReleases) {
  std::vector<std::string> releases{"a", "b", "c"};
  ReleaseSplit split(releases, {{"a", 50}, {"b", 30}, {"c", 20}}, "");
  EXPECT_EQ(share_in_round(split, 0, 0, 500), 250);
  EXPECT_EQ(share_in_round(split, 1, 0, 500), 150);
  EXPECT_EQ(share_in_round(split, 2, 0, 500), 100);
}

TEST(ReleaseSplit, WeightZeroOrLeftOutIsClosed) {
  ReleaseSplit zero(kSplitLiveAndCanary, {{"r1", 100}, {"r2", 0}}, "r2");
  EXPECT_TRUE(zero.open(0));
  EXPECT_FALSE(zero.open(1));
  EXPECT_EQ(share_in_round(zero, 1, 0, 200), 0);
  ReleaseSplit left_out(kSplitLiveAndCanary, {{"r2", 10}}, "r2");
  EXPECT_FALSE(left_out.open(0));
  EXPECT_EQ(share_in_round(left_out, 1, 0, 50), 50);
}

TEST(ReleaseSplit, WithoutWeightsEveryReleaseIsOpen) {
  for (const auto& split : {ReleaseSplit(), ReleaseSplit(kSplitLiveAndCanary, {}, "r2"),
                            ReleaseSplit(kSplitLiveAndCanary, {{"r1", 0}, {"r2", 0}}, "r2")}) {
    EXPECT_FALSE(split.weighted());
    EXPECT_TRUE(split.open(0));
  }
}

TEST(ReleaseSplit, WeightsOfReleasesWithoutTargetsAreDropped) {
  std::vector<std::string> only_live{"r1"};
  ReleaseSplit split(only_live, {{"r1", 95}, {"r2", 5}}, "r2");
  EXPECT_EQ(share_in_round(split, 0, 0, 100), 100);
  EXPECT_EQ(split.canary(), ReleaseSplit::kNone);
  EXPECT_EQ(split.live(), 0);
}

TEST(ReleaseSplit, WeightsAreCappedAtOneHundred) {
  ReleaseSplit split(kSplitLiveAndCanary, {{"r1", 1'000'000}, {"r2", 100}}, "r2");
  EXPECT_EQ(share_in_round(split, 1, 0, 200), 100);
}

TEST(ReleaseSplit, LiveIsTheHeaviestOpenReleaseButTheCanary) {
  std::vector<std::string> releases{"old", "live", "canary"};
  ReleaseSplit split(releases, {{"old", 10}, {"live", 80}, {"canary", 90}}, "canary");
  EXPECT_EQ(split.canary(), 2);
  EXPECT_EQ(split.live(), 1);
  ReleaseSplit promoted(kSplitLiveAndCanary, {{"r1", 0}, {"r2", 100}}, "r2");
  EXPECT_EQ(promoted.live(), ReleaseSplit::kNone) << "a release at weight 0 takes nobody";
  ReleaseSplit unweighted(kSplitLiveAndCanary, {}, "r1");
  EXPECT_EQ(unweighted.canary(), 0);
  EXPECT_EQ(unweighted.live(), 1);
}
}  // namespace baton
