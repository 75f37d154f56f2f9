// `baton daemon --log-level` takes the same names as the config file's log_level.
#include <signal.h>

#include <fstream>

#include "harness.hpp"

namespace baton::itest {
namespace {
class LogLevel : public IntegrationTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(LogLevel, QuietLevelsStartTheDaemonAndHideInfoLines) {
  auto port = free_port();
  AppConfig config;
  config.targets = {"127.0.0.1:1"};
  config.listen = "127.0.0.1:" + std::to_string(port);
  auto config_path = dir_.path() / "quiet.toml";
  std::ofstream(config_path) << config.text();
  Process baton("baton-quiet",
                {baton_binary(), "daemon", "--log-level", GetParam(), "--config", config_path.string(), "--home",
                 (dir_.path() / "home").string()},
                dir_.path());
  ASSERT_TRUE(eventually([&] { return Client(port).connected() || baton.wait(0ms).has_value(); }));
  ASSERT_FALSE(baton.wait(0ms).has_value()) << baton.output(Stream::err);
  baton.signal(SIGTERM);
  EXPECT_EQ(baton.wait(), 0);
  EXPECT_EQ(baton.output(Stream::err).find("level=info"), std::string::npos) << baton.output(Stream::err);
}

INSTANTIATE_TEST_SUITE_P(Quiet, LogLevel, ::testing::Values("critical", "off"));

TEST(LogLevelNames, AnUnknownLevelIsBadUsage) {
  TempDir dir;
  Process baton("baton-loud", {baton_binary(), "daemon", "--log-level", "loud", "--home", (dir.path() / "home").string()},
                dir.path());
  EXPECT_EQ(baton.wait(), 2);
  EXPECT_NE(baton.output(Stream::err).find("--log-level"), std::string::npos) << baton.output(Stream::err);
}
}  // namespace
}  // namespace baton::itest
