#include "metrics/traffic.hpp"

#include <gtest/gtest.h>

namespace baton::metrics {
TEST(StatusClass, ByHundreds) {
  EXPECT_EQ(status_class(101), StatusClass::informational);
  EXPECT_EQ(status_class(200), StatusClass::success);
  EXPECT_EQ(status_class(304), StatusClass::redirection);
  EXPECT_EQ(status_class(499), StatusClass::client_error);
  EXPECT_EQ(status_class(502), StatusClass::server_error);
  EXPECT_EQ(status_class(0), StatusClass::server_error);
  EXPECT_EQ(status_class(600), StatusClass::server_error);
  EXPECT_EQ(to_string(StatusClass::client_error), "4xx");
  EXPECT_EQ(to_string(UpstreamError::bad_response), "bad_response");
}

TEST(TrafficCounters, ReadsWhatWasCounted) {
  TrafficCounters counters;
  counters.count_response(200);
  counters.count_response(204);
  counters.count_response(503);
  counters.count_bytes(10, 300);
  counters.count_upstream_error(UpstreamError::refused);
  counters.observe_latency(1'200);
  counters.websocket_opened();
  counters.websocket_opened();
  counters.websocket_closed();
  auto s = counters.read();
  EXPECT_EQ(s.requests(), 3u);
  EXPECT_EQ(s.responses_of(StatusClass::success), 2u);
  EXPECT_EQ(s.responses_of(StatusClass::server_error), 1u);
  EXPECT_EQ(s.errors_of(UpstreamError::refused), 1u);
  EXPECT_EQ(s.request_bytes, 10u);
  EXPECT_EQ(s.response_bytes, 300u);
  EXPECT_EQ(s.websockets_open, 1);
  EXPECT_EQ(s.latency.count(), 1u);
}

TrafficSnapshot traffic(std::uint64_t ok, std::uint64_t failed, std::uint64_t micros) {
  TrafficCounters counters;
  for (std::uint64_t i = 0; i < ok + failed; ++i) {
    counters.count_response(i < ok ? 200 : 500);
    counters.observe_latency(micros);
  }
  return counters.read();
}

TEST(TrafficSnapshot, ThreadsAddUp) {
  auto sum = traffic(3, 1, 800);
  sum += traffic(5, 0, 800);
  EXPECT_EQ(sum.requests(), 9u);
  EXPECT_EQ(sum.responses_of(StatusClass::server_error), 1u);
  EXPECT_EQ(sum.latency.count(), 9u);
}

TEST(TrafficSnapshot, SinceSubtractsCountersAndKeepsTheGauge) {
  auto earlier = traffic(10, 1, 800);
  auto later = traffic(30, 4, 800);
  later.websockets_open = 2;
  auto window = later.since(earlier);
  EXPECT_EQ(window.requests(), 23u);
  EXPECT_EQ(window.responses_of(StatusClass::server_error), 3u);
  EXPECT_EQ(window.latency.count(), 23u);
  EXPECT_EQ(window.websockets_open, 2);
}

TEST(TrafficSnapshot, SinceARestartCountsFromZero) {
  auto window = traffic(2, 0, 800).since(traffic(10, 0, 800));
  EXPECT_EQ(window.requests(), 2u);
  EXPECT_EQ(window.latency.count(), 2u);
}

TEST(ByRelease, AddsUpTheTargetsOfEachRelease) {
  TrafficByLabels all;
  all[{"web", "r1", "127.0.0.1:1"}] = traffic(10, 0, 800);
  all[{"web", "r1", "127.0.0.1:2"}] = traffic(5, 1, 800);
  all[{"web", "r1", ""}] = traffic(1, 0, 800);  // a target that left
  all[{"web", "r2", "127.0.0.1:3"}] = traffic(2, 2, 800);
  all[{"api", "r1", "127.0.0.1:4"}] = traffic(100, 0, 800);
  auto releases = by_release(all, "web");
  ASSERT_EQ(releases.size(), 2u);
  EXPECT_EQ(releases["r1"].requests(), 17u);
  EXPECT_EQ(releases["r2"].requests(), 4u);
}

TEST(Summarize, ACanaryWindowAgainstTheLiveOne) {
  auto live_before = traffic(1'000, 2, 800);
  auto live_after = traffic(2'000, 4, 800);
  TrafficCounters canary;
  for (int i = 0; i < 90; ++i) {
    canary.count_response(200);
    canary.observe_latency(800);
  }
  for (int i = 0; i < 10; ++i) {
    canary.count_response(502);
    canary.observe_latency(250'000);
  }
  auto live = summarize(live_after.since(live_before));
  auto canary_window = summarize(canary.read().since(TrafficSnapshot{}));
  EXPECT_EQ(live.requests, 1'002u);
  EXPECT_EQ(live.errors, 2u);
  EXPECT_LE(*live.p99_seconds, 0.001);
  EXPECT_EQ(canary_window.requests, 100u);
  EXPECT_EQ(canary_window.errors, 10u);
  EXPECT_DOUBLE_EQ(canary_window.error_rate(), 0.1);
  EXPECT_GT(*canary_window.p99_seconds, 0.2);
  EXPECT_LE(*canary_window.p99_seconds, 0.3);
}

TEST(Summarize, AnEmptyWindowHasNoLatency) {
  auto summary = summarize(TrafficSnapshot{});
  EXPECT_EQ(summary.requests, 0u);
  EXPECT_FALSE(summary.p99_seconds.has_value());
  EXPECT_EQ(summary.error_rate(), 0.0);
}
}  // namespace baton::metrics
