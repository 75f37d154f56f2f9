#include "cli/log_line.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace baton::cli {
namespace {
TEST(LogLine, SplitsTimeInstanceStreamAndText) {
  auto line = parse_log_line("2026-11-22T10:00:00.123Z web-api#12@r3 err| warning: a | b  ");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->time, "2026-11-22T10:00:00.123Z");
  EXPECT_EQ(line->service, "web-api");
  EXPECT_EQ(line->instance, 12u);
  EXPECT_EQ(line->release, "r3");
  EXPECT_EQ(line->stream, "err");
  EXPECT_EQ(line->text, "warning: a | b  ");
  auto empty = parse_log_line("2026-11-22T10:00:00.123Z web#0@r1 out| ");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->text, "");
}

TEST(LogLine, RefusesOtherShapes) {
  for (auto other : {"", "2026-11-22T10:00:00.123Z web/pre_deploy out| migrating",
                     "2026-11-22T10:00:00.123+0000 level=info event=listening", "2026-11-22T10:00:00.123Z web#x@r1 out| a",
                     "2026-11-22T10:00:00.123Z web#1@ out| a", "2026-11-22T10:00:00.123Z #1@r1 out| a",
                     "2026-11-22T10:00:00.123Z web#1@r1 log| a", "2026-11-22T10:00:00.123Z web#1@r1 out|a",
                     "2026-11-22T10:00:00.123Z web#99999999999@r1 out| a", "no spaces at all"})
    EXPECT_FALSE(parse_log_line(other)) << other;
}

TEST(LogLine, JsonHasEveryFieldAndSurvivesBytesThatAreNotUtf8) {
  auto line = parse_log_line("2026-11-22T10:00:00.123Z web#2@r3 out| say \"hi\"\t\xff");
  ASSERT_TRUE(line);
  auto json = nlohmann::json::parse(log_line_json(*line));
  EXPECT_EQ(json["time"], "2026-11-22T10:00:00.123Z");
  EXPECT_EQ(json["service"], "web");
  EXPECT_EQ(json["release"], "r3");
  EXPECT_EQ(json["instance"], 2);
  EXPECT_EQ(json["stream"], "out");
  EXPECT_EQ(json["line"], "say \"hi\"\t\xEF\xBF\xBD");
}

TEST(LogLine, FilterKeepsTheChosenStreamSinceATime) {
  auto out = parse_log_line("2026-11-22T10:00:00.123Z web#0@r1 out| a");
  auto err = parse_log_line("2026-11-22T10:05:00.000Z web#0@r1 err| b");
  LogFilter all;
  EXPECT_TRUE(all.keeps(out) && all.keeps(err) && all.keeps(std::nullopt));
  LogFilter only_err;
  only_err.stream = StreamChoice::err;
  EXPECT_FALSE(only_err.keeps(out));
  EXPECT_TRUE(only_err.keeps(err));
  EXPECT_FALSE(only_err.keeps(std::nullopt)) << "a line of another shape has no stream";
  LogFilter since{.since = "2026-11-22T10:01:00.000Z"};
  EXPECT_FALSE(since.keeps(out));
  EXPECT_TRUE(since.keeps(err));
  LogFilter json;
  json.json = true;
  EXPECT_EQ(json.render("raw", out).front(), '{');
  EXPECT_FALSE(json.keeps(std::nullopt));
  EXPECT_EQ(all.render("raw", out), "raw");
}

TEST(LogLine, SinceIsADurationBackOrAUtcTime) {
  using namespace std::chrono;
  auto now = sys_days{year{2026} / 11 / 22} + hours(10);
  EXPECT_EQ(since_timestamp("10m", now), "2026-11-22T09:50:00.000Z");
  EXPECT_EQ(since_timestamp("2h", now), "2026-11-22T08:00:00.000Z");
  EXPECT_EQ(since_timestamp("2026-11-21T23:30", now), "2026-11-21T23:30:00.000Z");
  auto bad = since_timestamp("last tuesday", now);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("'last tuesday'"), std::string::npos) << bad.error();
  EXPECT_FALSE(since_timestamp("-5m", now));
}
}  // namespace
}  // namespace baton::cli
