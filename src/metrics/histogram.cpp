#include "metrics/histogram.hpp"

#include <algorithm>

#include "base/check.hpp"

namespace baton::metrics {
namespace {
constexpr std::uint64_t kSecond = 1'000'000;
}  // namespace

const std::array<std::uint64_t, kLatencyBucketCount> kLatencyBounds = {
    100,       150,       200,       300,       500,       700,                                     // 100 µs
    1'000,     1'500,     2'000,     3'000,     5'000,     7'000,                                   // 1 ms
    10'000,    15'000,    20'000,    30'000,    50'000,    70'000,                                  // 10 ms
    100'000,   150'000,   200'000,   300'000,   500'000,   700'000,                                 // 100 ms
    kSecond,   kSecond * 3 / 2, 2 * kSecond, 3 * kSecond, 5 * kSecond, 7 * kSecond,                 // 1 s
    10 * kSecond, 15 * kSecond, 20 * kSecond, 30 * kSecond, 60 * kSecond};

const std::array<std::uint64_t, 13> kDeployDurationBounds = {
    kSecond,       2 * kSecond,    5 * kSecond,    10 * kSecond,   20 * kSecond,   30 * kSecond,   60 * kSecond,
    120 * kSecond, 300 * kSecond,  600 * kSecond,  1200 * kSecond, 1800 * kSecond, 3600 * kSecond};

std::size_t bucket_index(Bounds bounds, std::uint64_t value) {
  return static_cast<std::size_t>(std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin());
}

HistogramCounts::HistogramCounts(Bounds b) : bounds(b), counts(b.size() + 1, 0) {}

void HistogramCounts::observe(std::uint64_t value) {
  ++counts[bucket_index(bounds, value)];
  sum += value;
}

std::uint64_t HistogramCounts::count() const {
  std::uint64_t total = 0;
  for (auto c : counts) total += c;
  return total;
}

HistogramCounts& HistogramCounts::operator+=(const HistogramCounts& other) {
  BATON_CHECK(other.bounds.data() == bounds.data() && other.counts.size() == counts.size());
  for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += other.counts[i];
  sum += other.sum;
  return *this;
}

HistogramCounts HistogramCounts::since(const HistogramCounts& earlier) const {
  BATON_CHECK(earlier.bounds.data() == bounds.data() && earlier.counts.size() == counts.size());
  bool restarted = earlier.sum > sum;
  for (std::size_t i = 0; i < counts.size(); ++i) restarted = restarted || earlier.counts[i] > counts[i];
  if (restarted) return *this;
  HistogramCounts window(bounds);
  for (std::size_t i = 0; i < counts.size(); ++i) window.counts[i] = counts[i] - earlier.counts[i];
  window.sum = sum - earlier.sum;
  return window;
}

std::optional<double> HistogramCounts::quantile(double q) const {
  auto total = count();
  if (total == 0) return std::nullopt;
  double rank = std::clamp(q, 0.0, 1.0) * static_cast<double>(total);
  std::uint64_t below = 0;  // observations in the buckets before i
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] == 0 || static_cast<double>(below + counts[i]) < rank) {
      below += counts[i];
      continue;
    }
    if (i == bounds.size()) break;  // +Inf
    double lower = i == 0 ? 0.0 : static_cast<double>(bounds[i - 1]);
    double upper = static_cast<double>(bounds[i]);
    double inside = (rank - static_cast<double>(below)) / static_cast<double>(counts[i]);
    return lower + (upper - lower) * inside;
  }
  return static_cast<double>(bounds.back());
}

void LocalHistogram::observe(std::uint64_t micros) {
  buckets_[bucket_index(kLatencyBounds, micros)].add();
  sum_.add(micros);
}

HistogramCounts LocalHistogram::read() const {
  HistogramCounts out(kLatencyBounds);
  for (std::size_t i = 0; i < buckets_.size(); ++i) out.counts[i] = buckets_[i].read();
  out.sum = sum_.read();
  return out;
}
void LocalHistogram::absorb(const HistogramCounts& other) {
  BATON_CHECK(other.bounds.data() == kLatencyBounds.data());
  for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i].add(other.counts[i]);
  sum_.add(other.sum);
}
}  // namespace baton::metrics
