// The restart policy keys of a managed service: autorestart, stop_exit_codes, max_restarts,
// restart_window, restart_delay, max_restart_delay and cron_restart.
#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "config/loader_test_support.hpp"

namespace baton {
namespace {
using namespace std::chrono_literals;
using testing::expect_error;
using testing::parse_ok;

TEST(RestartConfig, DefaultsRestartAlwaysWithoutLimitOrSchedule) {
  auto config = parse_ok(R"(
[services.web]
listen = "127.0.0.1:0"
command = "./web"
)");
  const auto& service = config.services.at("web");
  EXPECT_EQ(service.restart, RestartPolicy{});
  EXPECT_EQ(service.restart.autorestart, AutoRestart::always);
  EXPECT_FALSE(service.restart.max_restarts);
  EXPECT_FALSE(service.restart_delay);
  EXPECT_FALSE(service.max_restart_delay);
  EXPECT_FALSE(service.cron_restart);
}

TEST(RestartConfig, ReadsEveryKey) {
  auto config = parse_ok(R"(
[services.job]
command = "./job"
autorestart = "on-failure"
stop_exit_codes = [0, 64]
max_restarts = 10
restart_window = "5m"
restart_delay = "500ms"
max_restart_delay = "15s"
cron_restart = "0 3 * * *"

[services.once]
command = "./once"
autorestart = false

[services.pm2]
command = "./pm2"
autorestart = true
)");
  const auto& job = config.services.at("job");
  EXPECT_EQ(job.restart.autorestart, AutoRestart::on_failure);
  EXPECT_EQ(job.restart.stop_exit_codes, (std::vector<int>{0, 64}));
  EXPECT_EQ(job.restart.max_restarts, std::optional(10u));
  EXPECT_EQ(job.restart.restart_window, std::optional<std::chrono::milliseconds>(5min));
  EXPECT_EQ(job.restart_delay, std::optional(500ms));
  EXPECT_EQ(job.max_restart_delay, std::optional(15s));
  ASSERT_TRUE(job.cron_restart);
  EXPECT_EQ(job.cron_restart->text(), "0 3 * * *");
  EXPECT_EQ(config.services.at("once").restart.autorestart, AutoRestart::never);
  EXPECT_EQ(config.services.at("pm2").restart.autorestart, AutoRestart::always);
}

TEST(RestartConfig, BadValuesNameTheirLine) {
  const char* head = "[services.web]\ncommand = \"./web\"\n";
  auto at3 = [&](std::string line, std::string_view phrase) { expect_error(head + line, 3, phrase); };
  at3("autorestart = \"sometimes\"", "'autorestart' in [services.web]");
  at3("autorestart = \"on_failure\"", "did you mean 'on-failure'");
  at3("autorestart = 1", "must be \"always\", \"on-failure\", \"never\" (or true / false)");
  at3("stop_exit_codes = 0", "must be an array of exit codes (0-255)");
  at3("stop_exit_codes = [0, 256]", "must be an array of exit codes (0-255)");
  at3("stop_exit_codes = [\"0\"]", "must be an array of exit codes (0-255)");
  at3("max_restarts = -1", "must be from 0 to 1000000");
  at3("restart_delay = 5", "'restart_delay' in [services.web]");
  at3("max_restart_delay = \"0s\"", "must be longer than zero");
  at3("cron_restart = \"61 * * * *\"", "\"61 * * * *\" 61 is out of range in the minute field (0-59)");
  at3("cron_restart = \"0 0 30 2 *\"", "never fires");
  at3("cron_restart = \"@reboot\"", "unknown macro");
  expect_error(std::string(head) + "max_restarts = 3\nrestart_window = \"500ms\"", 4, "must be at least 1s");
  expect_error(std::string(head) + "restart_window = \"1m\"", 3, "needs max_restarts");
  expect_error(std::string(head) + "restart_delay = \"10s\"\nmax_restart_delay = \"1s\"", 3,
               "is above max_restart_delay");
}

TEST(RestartConfig, KeysAreOnlyForManagedServices) {
  expect_error(R"([services.api]
listen = "127.0.0.1:0"
targets = ["127.0.0.1:9000"]
cron_restart = "@daily"
)",
               4, "'cron_restart' in [services.api] is only for a managed service");
  expect_error(R"([services.api]
command = "./api"
auto_restart = "never"
)",
               3, "did you mean 'autorestart'");
}
}  // namespace
}  // namespace baton
