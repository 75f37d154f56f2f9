#include "summary.hpp"

#include <gtest/gtest.h>

namespace baton::load {
namespace {
RunResult sample() {
  RunResult result;
  result.counts.add({200, ErrorClass::none, "v1", {}, false});
  result.counts.add({200, ErrorClass::none, "v2", {}, false});
  result.counts.add({200, ErrorClass::none, "v1", {}, true});
  result.counts.add({503, ErrorClass::none, "v2", {}, false});
  result.counts.add({0, ErrorClass::reset, "", {}, false});
  result.latency = {1, 2, 3, 4};
  result.duration_s = 2;
  return result;
}

TEST(Summary, JsonHasEveryKey) {
  auto json = summary_json(sample());
  EXPECT_EQ(json["requests"], 5);
  EXPECT_EQ(json["ok"], 3);
  EXPECT_EQ(json["failed"], 2);
  EXPECT_EQ(json["statuses"], nlohmann::json({{"503", 1}}));
  EXPECT_EQ(json["errors"], nlohmann::json({{"reset", 1}}));
  EXPECT_EQ(json["versions"], nlohmann::json({{"v1", 2}, {"v2", 2}}));
  EXPECT_EQ(json["version_regressions"], 1);
  EXPECT_EQ(json["p50_ms"], 1.0);
  EXPECT_EQ(json["p90_ms"], 2.0);
  EXPECT_EQ(json["p99_ms"], 3.0);
  EXPECT_EQ(json["max_ms"], 4.0);
  EXPECT_EQ(json["rps"], 2.5);
  EXPECT_EQ(json["duration_s"], 2.0);
}

TEST(Summary, EmptyMapsAreJsonObjects) {
  auto json = summary_json(RunResult{});
  EXPECT_TRUE(json["statuses"].is_object());
  EXPECT_TRUE(json["errors"].is_object());
  EXPECT_TRUE(json["versions"].is_object());
}

TEST(Summary, TableNamesTheFailures) {
  auto table = summary_table(sample());
  EXPECT_NE(table.find("failed       2"), std::string::npos) << table;
  EXPECT_NE(table.find("503=1"), std::string::npos) << table;
  EXPECT_NE(table.find("reset=1"), std::string::npos) << table;
  EXPECT_NE(table.find("v1=2 v2=2"), std::string::npos) << table;
}

TEST(Summary, ProgressShowsTheLastInterval) {
  Counts before;
  before.add({200, ErrorClass::none, "v1", {}, false});
  Counts now = before;
  now.add({200, ErrorClass::none, "v2", {}, false});
  now.add({0, ErrorClass::timeout, "", {}, false});
  EXPECT_EQ(progress_line(before, now, 1.0), "req/s 2  failed 1  versions v2=1\n");
}
}  // namespace
}  // namespace baton::load
