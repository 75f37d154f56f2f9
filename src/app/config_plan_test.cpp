#include "app/config_plan.hpp"

#include <gtest/gtest.h>

#include "config/loader.hpp"

namespace baton {
namespace {
using Names = std::vector<std::string>;

Config config_of(const std::string& text) {
  auto config = parse_config(text, "test.toml");
  EXPECT_TRUE(config) << config.error();
  return config.value_or(Config{});
}

const std::string kWeb = "[services.web]\nlisten = \"127.0.0.1:7000\"\ncommand = [\"/bin/web\"]\ninstances = 2\n";
const std::string kApi = "[services.api]\nlisten = \"127.0.0.1:7001\"\ntargets = [\"127.0.0.1:9000\"]\n";

TEST(ConfigPlan, TheSameConfigChangesNothing) {
  EXPECT_TRUE(plan_changes(config_of(kWeb + kApi), config_of(kWeb + kApi)).empty());
}

TEST(ConfigPlan, AddedAndRemovedServices) {
  auto plan = plan_changes(config_of(kWeb), config_of(kApi));
  EXPECT_EQ(plan.added, Names{"api"});
  EXPECT_EQ(plan.removed, Names{"web"});
}

TEST(ConfigPlan, ANewCommandOrEnvironmentIsADeploy) {
  auto command = kWeb;
  command.replace(command.find("/bin/web"), 8, "/bin/web2");
  EXPECT_EQ(plan_changes(config_of(kWeb), config_of(command)).redeployed, Names{"web"});
  EXPECT_EQ(plan_changes(config_of(kWeb), config_of(kWeb + "env = { A = \"1\" }\n")).redeployed, Names{"web"});
  EXPECT_EQ(plan_changes(config_of(kApi), config_of(kApi + "[services.api.health]\npath = \"/up\"\n")).redeployed,
            Names{"api"});
}

TEST(ConfigPlan, OnlyTheCountIsAScale) {
  auto more = kWeb;
  more.replace(more.find("instances = 2"), 13, "instances = 5");
  auto plan = plan_changes(config_of(kWeb), config_of(more));
  EXPECT_EQ(plan.rescaled, Names{"web"});
  EXPECT_TRUE(plan.redeployed.empty());
}

TEST(ConfigPlan, RoutingAndDeploySettingsNeedOnlyANewTable) {
  EXPECT_EQ(plan_changes(config_of(kWeb), config_of(kWeb + "path = \"/app\"\n")).rerouted, Names{"web"});
  EXPECT_EQ(plan_changes(config_of(kWeb), config_of(kWeb + "stop_timeout = \"3s\"\n")).rerouted, Names{"web"});
  EXPECT_EQ(plan_changes(config_of(kWeb), config_of(kWeb + "strategy = \"recreate\"\n")).rerouted,
            Names{"web"});
}

TEST(ConfigPlan, ManagedBecomingExternalIsANewService) {
  auto external = "[services.web]\nlisten = \"127.0.0.1:7000\"\ntargets = [\"127.0.0.1:9000\"]\n";
  auto plan = plan_changes(config_of(kWeb), config_of(external));
  EXPECT_EQ(plan.removed, Names{"web"});
  EXPECT_EQ(plan.added, Names{"web"});
}

TEST(ConfigPlan, ProxySettingsThatNeedARestartAreNamed) {
  auto plan = plan_changes(config_of(kWeb), config_of("[proxy]\nthreads = 3\nmax_connections = 100\n" + kWeb));
  EXPECT_EQ(plan.restart_required, (Names{"proxy.threads", "proxy.max_connections"}));
  EXPECT_TRUE(plan_changes(config_of(kWeb), config_of("log_level = \"debug\"\n" + kWeb)).log_level_changed);
}
}  // namespace
}  // namespace baton
