#pragma once
// Histograms with fixed bucket bounds: bounded memory, and two of them (two
// proxy threads, two scrapes) add or subtract bucket by bucket, so a window
// between two snapshots is one subtraction and its quantiles can be estimated.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "metrics/local_counter.hpp"

namespace baton::metrics {
// Upper bounds of the buckets in microseconds, ascending; a value above the last one falls in +Inf.
using Bounds = std::span<const std::uint64_t>;

// Request latency, 100 µs to 60 s: six buckets a decade (1, 1.5, 2, 3, 5, 7), so an
// estimated p99 is off by less than the 1.5x width of its bucket.
inline constexpr std::size_t kLatencyBucketCount = 35;
extern const std::array<std::uint64_t, kLatencyBucketCount> kLatencyBounds;
// Deploy durations, 1 s to 1 h.
extern const std::array<std::uint64_t, 13> kDeployDurationBounds;

// The bucket a value falls in: the first whose bound is >= it, or bounds.size() for +Inf.
std::size_t bucket_index(Bounds bounds, std::uint64_t value);

// A plain histogram: what a snapshot holds, and what the control plane keeps itself.
struct HistogramCounts {
  explicit HistogramCounts(Bounds bounds = kLatencyBounds);

  Bounds bounds;
  std::vector<std::uint64_t> counts;  // per bucket, not cumulative; the last is +Inf
  std::uint64_t sum = 0;              // of the observed values, in microseconds

  void observe(std::uint64_t value);
  std::uint64_t count() const;
  // Same bounds only (a broken invariant otherwise).
  HistogramCounts& operator+=(const HistogramCounts& other);
  // What was observed after `earlier`, a snapshot of the same series. Fewer observations
  // than in `earlier` means the series restarted: everything it holds is new.
  HistogramCounts since(const HistogramCounts& earlier) const;
  // The value below which a fraction `q` (0 to 1) of the observations lie, in microseconds,
  // interpolated linearly inside its bucket (as Prometheus' histogram_quantile). In the +Inf
  // bucket: the highest finite bound. Empty: nullopt.
  std::optional<double> quantile(double q) const;
};

// The proxy threads' latency histogram: one writer, read at scrape time.
class LocalHistogram {
 public:
  void observe(std::uint64_t micros);
  HistogramCounts read() const;
  // Adds another latency histogram's counts.
  void absorb(const HistogramCounts& other);

 private:
  std::array<LocalCounter, kLatencyBucketCount + 1> buckets_;
  LocalCounter sum_;
};
}  // namespace baton::metrics
