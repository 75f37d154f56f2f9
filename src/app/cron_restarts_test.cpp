#include "app/cron_restarts.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace baton {
namespace {
Config with_cron(std::string_view schedule) {
  Config config;
  auto& service = config.services["job"];
  service.name = "job";
  service.command = {"/bin/true"};
  if (!schedule.empty()) service.cron_restart = CronSchedule::parse(schedule).value();
  return config;
}

TEST(CronRestarts, RestartsWhenDueFollowsConfigChangesAndStops) {
  Config config = with_cron("*/10 * * * * *");  // every 10 s
  std::vector<std::string> restarted;
  bool refuse = false;
  CronRestarts cron([&]() -> const Config& { return config; },
                    [&](const std::string& service) -> std::expected<void, std::string> {
                      restarted.push_back(service);
                      if (refuse) return std::unexpected("a deploy is running");
                      return {};
                    });
  std::time_t t0 = 1'800'000'000;  // a multiple of 10
  EXPECT_EQ(cron.tick(t0), t0 + 10) << "scheduled, not run, on first sight";
  EXPECT_TRUE(restarted.empty());
  EXPECT_EQ(cron.tick(t0 + 9), t0 + 10);
  EXPECT_TRUE(restarted.empty());
  EXPECT_EQ(cron.tick(t0 + 10), t0 + 20);
  EXPECT_EQ(restarted, std::vector<std::string>{"job"});
  refuse = true;  // a refused restart is skipped, and the next time still comes
  EXPECT_EQ(cron.tick(t0 + 20), t0 + 30);
  EXPECT_EQ(restarted.size(), 2u);
  config = with_cron("0 * * * * *");  // changed: every minute, from now
  EXPECT_EQ(cron.tick(t0 + 21), t0 + 60);  // t0 is a whole minute
  config = with_cron("");  // removed
  EXPECT_EQ(cron.tick(t0 + 40), std::numeric_limits<std::time_t>::max());
  EXPECT_EQ(restarted.size(), 2u);
  config = with_cron("* * * * * *");
  cron.stop();
  EXPECT_EQ(cron.tick(t0 + 50), std::numeric_limits<std::time_t>::max());
  EXPECT_EQ(cron.tick(t0 + 51), std::numeric_limits<std::time_t>::max());
  EXPECT_EQ(restarted.size(), 2u) << "nothing after stop()";
}
}  // namespace
}  // namespace baton
