#include "metrics/histogram.hpp"

#include <gtest/gtest.h>

namespace baton::metrics {
TEST(BucketIndex, ABoundBelongsToItsOwnBucket) {
  EXPECT_EQ(bucket_index(kLatencyBounds, 0), 0u);
  EXPECT_EQ(bucket_index(kLatencyBounds, 100), 0u);
  EXPECT_EQ(bucket_index(kLatencyBounds, 101), 1u);
  EXPECT_EQ(bucket_index(kLatencyBounds, 60'000'000), kLatencyBucketCount - 1);
  EXPECT_EQ(bucket_index(kLatencyBounds, 60'000'001), kLatencyBucketCount);  // +Inf
}

TEST(LatencyBounds, AscendFrom100MicrosecondsTo60Seconds) {
  EXPECT_EQ(kLatencyBounds.front(), 100u);
  EXPECT_EQ(kLatencyBounds.back(), 60'000'000u);
  for (std::size_t i = 1; i < kLatencyBounds.size(); ++i) EXPECT_LT(kLatencyBounds[i - 1], kLatencyBounds[i]);
}

TEST(HistogramCounts, CountsAndSums) {
  HistogramCounts h;
  h.observe(50);
  h.observe(120);
  h.observe(120);
  h.observe(100'000'000);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_EQ(h.sum, 50u + 120 + 120 + 100'000'000);
  EXPECT_EQ(h.counts[0], 1u);
  EXPECT_EQ(h.counts[1], 2u);
  EXPECT_EQ(h.counts[kLatencyBucketCount], 1u);
}

TEST(HistogramCounts, MergesBucketByBucket) {
  HistogramCounts a, b;
  a.observe(120);
  b.observe(120);
  b.observe(2'500);
  a += b;
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(a.counts[1], 2u);
  EXPECT_EQ(a.counts[bucket_index(kLatencyBounds, 2'500)], 1u);
  EXPECT_EQ(a.sum, 120u + 120 + 2'500);
}

TEST(HistogramCounts, SinceIsTheWindowBetweenTwoSnapshots) {
  HistogramCounts h;
  h.observe(120);
  auto earlier = h;
  h.observe(2'500);
  h.observe(2'500);
  auto window = h.since(earlier);
  EXPECT_EQ(window.count(), 2u);
  EXPECT_EQ(window.counts[1], 0u);
  EXPECT_EQ(window.sum, 5'000u);
}

TEST(HistogramCounts, SinceARestartedSeriesTakesEverything) {
  HistogramCounts earlier, now;
  earlier.observe(120);
  earlier.observe(120);
  now.observe(2'500);
  auto window = now.since(earlier);
  EXPECT_EQ(window.count(), 1u);
  EXPECT_EQ(window.sum, 2'500u);
}

TEST(HistogramCounts, QuantileOfNothingIsUnknown) {
  EXPECT_FALSE(HistogramCounts().quantile(0.99).has_value());
}

TEST(HistogramCounts, QuantileInterpolatesInsideTheBucket) {
  HistogramCounts h;
  for (int i = 0; i < 100; ++i) h.observe(1'200);  // the (1000, 1500] bucket
  // Rank 99 of 100 in that bucket: 99 % of the way from 1000 to 1500.
  EXPECT_DOUBLE_EQ(*h.quantile(0.99), 1'000 + 500 * 0.99);
  EXPECT_DOUBLE_EQ(*h.quantile(0.5), 1'250);
}

TEST(HistogramCounts, QuantileFindsTheSlowTail) {
  HistogramCounts h;
  for (int i = 0; i < 980; ++i) h.observe(800);     // (700, 1000]
  for (int i = 0; i < 20; ++i) h.observe(250'000);  // (200000, 300000]
  // Rank 990: the 10th of the 20 slow ones.
  EXPECT_DOUBLE_EQ(*h.quantile(0.99), 200'000 + 100'000 * 0.5);
  EXPECT_LE(*h.quantile(0.5), 1'000);
}

TEST(HistogramCounts, QuantileInTheInfBucketIsTheHighestBound) {
  HistogramCounts h;
  h.observe(90'000'000);
  EXPECT_DOUBLE_EQ(*h.quantile(0.99), 60'000'000);
}

TEST(HistogramCounts, QuantileInTheFirstBucketStartsFromZero) {
  HistogramCounts h;
  h.observe(10);
  h.observe(10);
  EXPECT_DOUBLE_EQ(*h.quantile(0.5), 50);
}

TEST(HistogramCounts, TakesOtherBounds) {
  HistogramCounts h(kDeployDurationBounds);
  h.observe(90'000'000);  // 90 s
  EXPECT_EQ(h.counts.size(), kDeployDurationBounds.size() + 1);
  EXPECT_EQ(h.counts[bucket_index(kDeployDurationBounds, 90'000'000)], 1u);
  EXPECT_EQ(bucket_index(kDeployDurationBounds, 90'000'000), 7u);  // (60 s, 120 s]
}

TEST(LocalHistogram, ReadsWhatWasObserved) {
  LocalHistogram h;
  h.observe(120);
  h.observe(5'000);
  auto read = h.read();
  EXPECT_EQ(read.count(), 2u);
  EXPECT_EQ(read.sum, 5'120u);
  EXPECT_EQ(read.counts[1], 1u);
}
}  // namespace baton::metrics
