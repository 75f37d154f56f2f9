#include "cli/monit_model.hpp"

#include <gtest/gtest.h>

namespace baton::cli {
namespace {
using nlohmann::json;
using namespace std::chrono_literals;

json monit_status(std::int64_t cpu_ms, std::uint64_t requests, int pid = 4242) {
  return json{{"services",
               {{{"name", "web"},
                 {"live", "r2"},
                 {"version", "v2"},
                 {"paused", false},
                 {"deploy",
                  {{"kind", "deploy"},
                   {"release", "r3"},
                   {"strategy", "rolling"},
                   {"finished", false},
                   {"last_event", {{"event", "instances"}, {"message", "waiting for r3"}, {"ready", 1}, {"total", 2}}}}}}}},
              {"instances",
               {{{"service", "web"},
                 {"release", "r2"},
                 {"instance", 0},
                 {"pid", pid},
                 {"state", "running"},
                 {"healthy", true},
                 {"cpu_ms", cpu_ms},
                 {"rss_bytes", 20 * 1048576},
                 {"requests", requests},
                 {"errors", 3},
                 {"restarts", 1}}}}};
}

bool monit_has_line(const std::vector<std::string>& lines, std::string_view text) {
  for (const auto& line : lines)
    if (line.find(text) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST(MonitSampler, RatesComeFromTheChangeSinceThePreviousAnswer) {
  MonitSampler sampler("/home/b");
  auto start = MonitSampler::Clock::time_point{} + 100s;
  auto first = sampler.sample(monit_status(1000, 50), start, "t0");
  ASSERT_EQ(first.instances.size(), 1u);
  EXPECT_FALSE(first.instances[0].cpu_percent) << "no rate from one answer";
  EXPECT_FALSE(first.instances[0].requests_per_second);
  auto second = sampler.sample(monit_status(1500, 250), start + 2s, "t1");
  ASSERT_TRUE(second.instances[0].cpu_percent);
  EXPECT_DOUBLE_EQ(*second.instances[0].cpu_percent, 25.0);  // 500 ms of CPU in 2 s
  EXPECT_DOUBLE_EQ(*second.instances[0].requests_per_second, 100.0);
  EXPECT_EQ(second.instances[0].errors, 3u);
  EXPECT_EQ(second.services.at(0).deploy, "deploy r3 (rolling) 1/2 ready: waiting for r3");
}

TEST(MonitSampler, ANewProcessInTheSlotHasNoCpuRateUntilTheNextAnswer) {
  MonitSampler sampler("/home/b");
  auto start = MonitSampler::Clock::time_point{} + 100s;
  sampler.sample(monit_status(9000, 50, 1), start, "t0");
  auto replaced = sampler.sample(monit_status(10, 60, 2), start + 1s, "t1");
  EXPECT_FALSE(replaced.instances[0].cpu_percent);
  auto unreachable = sampler.unreachable("no daemon answers", "t2");
  EXPECT_FALSE(unreachable.reachable);
  auto back = sampler.sample(monit_status(20, 70, 2), start + 3s, "t3");
  EXPECT_FALSE(back.instances[0].requests_per_second) << "rates start afresh after an outage";
}

TEST(RenderMonit, ShowsServicesInstancesAndTheirColumns) {
  MonitSampler sampler("/home/b");
  auto start = MonitSampler::Clock::time_point{} + 100s;
  sampler.sample(monit_status(1000, 50), start, "t0");
  auto lines = render_monit(sampler.sample(monit_status(1500, 250), start + 2s, "t1"), 160, 40);
  EXPECT_TRUE(monit_has_line(lines, "baton monit  /home/b  t1"));
  EXPECT_TRUE(monit_has_line(lines, "DEPLOY IN PROGRESS"));
  EXPECT_TRUE(monit_has_line(lines, "deploy r3 (rolling) 1/2 ready: waiting for r3"));
  EXPECT_TRUE(monit_has_line(lines, "CPU%"));
  EXPECT_TRUE(monit_has_line(lines, "REQ/S"));
  EXPECT_TRUE(monit_has_line(lines, "ERRORS"));
  EXPECT_TRUE(monit_has_line(lines, "25.0%"));
  EXPECT_TRUE(monit_has_line(lines, "100.0"));
  EXPECT_TRUE(monit_has_line(lines, "20.0M"));
  EXPECT_TRUE(monit_has_line(lines, "4242"));
}

TEST(RenderMonit, FitsTheTerminalAndSaysWhatItLeftOut) {
  MonitSampler sampler("/home/b");
  auto status = monit_status(0, 0);
  for (int i = 1; i < 30; ++i) {
    auto more = status["instances"][0];
    more["instance"] = i;
    status["instances"].push_back(more);
  }
  auto lines = render_monit(sampler.sample(status, MonitSampler::Clock::now(), "t"), 40, 10);
  ASSERT_EQ(lines.size(), 10u);
  for (const auto& line : lines) EXPECT_LE(line.size(), 40u) << line;
  EXPECT_NE(lines.back().find("more lines"), std::string::npos) << lines.back();
  EXPECT_TRUE(render_monit(sampler.sample(status, MonitSampler::Clock::now(), "t"), 80, 0).empty());
}

TEST(RenderMonit, SaysClearlyWhenTheDaemonIsUnreachable) {
  MonitSampler sampler("/home/b");
  auto lines = render_monit(sampler.unreachable("no daemon answers at /home/b/baton.sock", "t"), 120, 40);
  EXPECT_TRUE(monit_has_line(lines, "DAEMON UNREACHABLE: no daemon answers at /home/b/baton.sock"));
  EXPECT_TRUE(monit_has_line(lines, "retrying"));
}
}  // namespace baton::cli
