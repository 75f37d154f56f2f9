// A daemon's config: its file (or none) plus the services registered with `baton start -- CMD`.
#include <gtest/gtest.h>

#include "config/loader.hpp"

namespace baton {
namespace {
const std::map<std::string, std::string> kWorker{
    {"worker", "listen = \"127.0.0.1:7001\"\ncommand = [\"/bin/app\", \"--port\", \"{port}\"]\ninstances = 3\n"}};

TEST(RegisteredServices, ADaemonMayStartWithNothing) {
  auto config = parse_config(ConfigSources{.text = "", .source_name = "(none)", .allow_empty = true});
  ASSERT_TRUE(config) << config.error();
  EXPECT_TRUE(config->services.empty());
  EXPECT_FALSE(parse_config("", "baton.toml"));  // a file with nothing in it stays a mistake
}

TEST(RegisteredServices, JoinTheFilesServices) {
  auto config = parse_config(ConfigSources{.text = "[services.web]\nlisten = \"127.0.0.1:7000\"\n"
                                                   "targets = [\"127.0.0.1:9000\"]\n",
                                           .source_name = "baton.toml",
                                           .registered = &kWorker});
  ASSERT_TRUE(config) << config.error();
  ASSERT_EQ(config->services.size(), 2u);
  const auto& worker = config->services.at("worker");
  EXPECT_EQ(worker.instances, 3u);
  EXPECT_EQ(worker.command.front(), "/bin/app");
  EXPECT_EQ(worker.listen.port, 7001);
}

TEST(RegisteredServices, WithoutAFile) {
  auto config = parse_config(ConfigSources{.text = "", .source_name = "(none)", .registered = &kWorker,
                                           .allow_empty = true});
  ASSERT_TRUE(config) << config.error();
  EXPECT_TRUE(config->services.contains("worker"));
}

TEST(RegisteredServices, ANameInTheFileTooIsRefused) {
  auto config = parse_config(ConfigSources{.text = "[services.worker]\nlisten = \"127.0.0.1:7000\"\n"
                                                   "targets = [\"127.0.0.1:9000\"]\n",
                                           .source_name = "baton.toml",
                                           .registered = &kWorker});
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().find("baton delete worker"), std::string::npos) << config.error();
}

TEST(RegisteredServices, AreValidatedLikeTheFile) {
  const std::map<std::string, std::string> bad{{"worker", "listen = \"127.0.0.1:7001\"\ninstances = 0\n"}};
  auto config = parse_config(ConfigSources{.text = "", .source_name = "(none)", .registered = &bad,
                                           .allow_empty = true});
  EXPECT_FALSE(config);
}
}  // namespace
}  // namespace baton
