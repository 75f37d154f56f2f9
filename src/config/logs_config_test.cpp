// The [logs] table and a managed service's log_per_instance, log_max_size, log_max_files.
#include <gtest/gtest.h>

#include "config/loader_test_support.hpp"

namespace baton {
namespace {
// A managed service, to which a test appends its keys.
std::string logged_service() { return "\n[services.web]\nlisten = \"127.0.0.1:8080\"\ncommand = \"node app.js\"\n"; }

TEST(LogsConfig, DefaultsAreNamed) {
  auto config = testing::parse_ok(logged_service());
  EXPECT_EQ(config.logs.daemon, (LogRotation{kDefaultLogMaxSize, kDefaultLogKeep}));
  EXPECT_EQ(config.logs.access, (LogRotation{defaults::kAccessLogMaxSize, kDefaultLogKeep}));
  EXPECT_EQ(config.logs.access_format, AccessLogFormat::logfmt);
  const auto& web = config.services.at("web").logs;
  EXPECT_FALSE(web.per_instance);
  EXPECT_EQ(web.rotation, (LogRotation{10ull << 20, 5}));
}

TEST(LogsConfig, ReadsTheLogsTableAndAServicesKeys) {
  auto config = testing::parse_ok(logged_service() + R"(log_per_instance = true
log_max_size = "64KiB"
log_max_files = 0
[logs]
daemon_max_size = "1MiB"
daemon_max_files = 2
access_max_size = 1048576
access_max_files = 9
access_format = "json"
)");
  const auto& web = config.services.at("web").logs;
  EXPECT_TRUE(web.per_instance);
  EXPECT_EQ(web.rotation, (LogRotation{64 << 10, 0}));
  EXPECT_EQ(config.logs.daemon, (LogRotation{1 << 20, 2}));
  EXPECT_EQ(config.logs.access, (LogRotation{1 << 20, 9}));
  EXPECT_EQ(config.logs.access_format, AccessLogFormat::json);
}

TEST(LogsConfig, BadValuesNameTheirLine) {
  testing::expect_error(logged_service() + "[logs]\naccess_format = \"xml\"\n", 6, "access_format");
  testing::expect_error(logged_service() + "[logs]\nverbose = true\n", 6, "unknown key 'verbose' in [logs]");
  testing::expect_error(logged_service() + "log_max_size = \"1k\"\n", 5, "'log_max_size' in [services.web] must be from 4096");
  testing::expect_error(logged_service() + "log_max_files = 1001\n", 5, "log_max_files");
  testing::expect_error(logged_service() + "log_per_instance = \"yes\"\n", 5, "log_per_instance");
  testing::expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
targets = ["127.0.0.1:9001"]
log_max_size = "1m"
)", 5, "'log_max_size' in [services.api] is only for a managed service");
}
}  // namespace
}  // namespace baton
