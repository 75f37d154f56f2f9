#include "outcome.hpp"

#include <gtest/gtest.h>

namespace baton::load {
namespace {
Outcome response(unsigned status, std::string version = "") { return {status, ErrorClass::none, version, {}, false}; }
Outcome failure(ErrorClass error) { return {0, error, "", {}, false}; }

TEST(Counts, SplitsOkStatusesAndErrors) {
  Counts c;
  c.add(response(200, "v1"));
  c.add(response(204, "v2"));
  c.add(response(503, "v1"));
  c.add(response(404));
  c.add(failure(ErrorClass::reset));
  c.add(failure(ErrorClass::connect_refused));
  c.add(failure(ErrorClass::reset));
  EXPECT_EQ(c.requests, 7u);
  EXPECT_EQ(c.ok, 2u);
  EXPECT_EQ(c.failed(), 5u);
  EXPECT_EQ(c.statuses, (std::map<unsigned, std::uint64_t>{{404, 1}, {503, 1}}));
  EXPECT_EQ(c.errors, (std::map<std::string, std::uint64_t>{{"connect_refused", 1}, {"reset", 2}}));
  EXPECT_EQ(c.versions, (std::map<std::string, std::uint64_t>{{"v1", 2}, {"v2", 1}}));
}

TEST(Counts, MergeAddsEverything) {
  Counts a, b;
  a.add(response(200, "v1"));
  b.add(response(500, "v1"));
  Outcome regression = response(200, "v2");
  regression.regression = true;
  b.add(regression);
  a.merge(b);
  EXPECT_EQ(a.requests, 3u);
  EXPECT_EQ(a.ok, 2u);
  EXPECT_EQ(a.statuses.at(500), 1u);
  EXPECT_EQ(a.versions.at("v1"), 2u);
  EXPECT_EQ(a.version_regressions, 1u);
}

TEST(Latencies, NearestRankPercentiles) {
  std::vector<std::uint32_t> us;
  for (std::uint32_t i = 100; i >= 1; --i) us.push_back(i * 1000);  // 1..100 ms, unsorted
  auto s = summarize_latencies(us);
  EXPECT_DOUBLE_EQ(s.p50_ms, 50);
  EXPECT_DOUBLE_EQ(s.p90_ms, 90);
  EXPECT_DOUBLE_EQ(s.p99_ms, 99);
  EXPECT_DOUBLE_EQ(s.max_ms, 100);
  auto one = summarize_latencies({1500});
  EXPECT_DOUBLE_EQ(one.p50_ms, 1.5);
  EXPECT_DOUBLE_EQ(one.p99_ms, 1.5);
  EXPECT_DOUBLE_EQ(summarize_latencies({}).max_ms, 0);
}
}  // namespace
}  // namespace baton::load
