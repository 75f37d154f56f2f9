// The deploy keys of a service: strategy, limits and hooks, and every rejection.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "config/loader_test_support.hpp"

namespace baton {
namespace {
using namespace std::chrono_literals;
using testing::expect_error;
using testing::parse_ok;

constexpr std::string_view kManaged = "\n[services.web]\nlisten = \"127.0.0.1:8080\"\n"
                                      "command = \"./server\"\n";
constexpr std::string_view kExternal = "\n[services.web]\nlisten = \"127.0.0.1:8080\"\n"
                                       "targets = [\"127.0.0.1:9001\"]\n";

std::string managed(std::string_view rest) { return fmt::format("{}{}", kManaged, rest); }

DeployConfig deploy_of(std::string_view service, std::string_view lines) {
  Config config = parse_ok(fmt::format("{}{}", service, lines));
  auto it = config.services.find("web");
  return it == config.services.end() ? DeployConfig{} : it->second.deploy;
}

TEST(DeployKeys, Defaults) {
  auto deploy = deploy_of(kManaged, "");
  EXPECT_EQ(deploy.strategy, Strategy::rolling);
  EXPECT_EQ(deploy.max_surge, defaults::kMaxSurge);
  EXPECT_EQ(deploy.standby_ttl, 5min);
  EXPECT_EQ(deploy.drain_timeout, 30s);
  EXPECT_EQ(deploy.deploy_timeout, 2min);
  EXPECT_EQ(deploy.max_pause, 30s);
  EXPECT_EQ(deploy.max_paused_requests, 1024u);
  EXPECT_TRUE(deploy.version_affinity);
  EXPECT_TRUE(deploy.pre_deploy.empty());
  EXPECT_TRUE(deploy.smoke.empty());
  EXPECT_TRUE(deploy.post_deploy.empty());
  EXPECT_EQ(deploy.hook_timeout, 5min);
}

TEST(DeployKeys, EveryKey) {
  auto deploy = deploy_of(kManaged, R"(strategy = "blue-green"
max_surge = 3
standby_ttl = "10m"
drain_timeout = "5s"
deploy_timeout = "1m"
max_pause = "10s"
max_paused_requests = 100
version_affinity = false
pre_deploy = "bin/migrate --yes"
smoke = ["curl", "-fsS", "http://127.0.0.1:{port}/"]
post_deploy = ["./notify"]
hook_timeout = "90s"
build = ["npm", "ci", "--omit=dev"]
build_timeout = "20m"
keep = 3
shared = ["storage/", "node_modules/.cache", ".env"]
)");
  EXPECT_EQ(deploy.strategy, Strategy::blue_green);
  EXPECT_EQ(deploy.max_surge, 3u);
  EXPECT_EQ(deploy.standby_ttl, 10min);
  EXPECT_EQ(deploy.drain_timeout, 5s);
  EXPECT_EQ(deploy.deploy_timeout, 1min);
  EXPECT_EQ(deploy.max_pause, 10s);
  EXPECT_EQ(deploy.max_paused_requests, 100u);
  EXPECT_FALSE(deploy.version_affinity);
  EXPECT_EQ(deploy.pre_deploy.command, std::vector<std::string>{"bin/migrate --yes"});
  EXPECT_TRUE(deploy.pre_deploy.is_shell_string);
  EXPECT_EQ(deploy.smoke.command,
            (std::vector<std::string>{"curl", "-fsS", "http://127.0.0.1:{port}/"}));
  EXPECT_FALSE(deploy.smoke.is_shell_string);
  EXPECT_EQ(deploy.post_deploy.command, std::vector<std::string>{"./notify"});
  EXPECT_FALSE(deploy.post_deploy.is_shell_string);
  EXPECT_EQ(deploy.hook_timeout, 90s);
  EXPECT_EQ(deploy.build.command, (std::vector<std::string>{"npm", "ci", "--omit=dev"}));
  EXPECT_EQ(deploy.build_timeout, 20min);
  EXPECT_EQ(deploy.keep, 3u);
  EXPECT_EQ(deploy.shared, (std::vector<std::string>{"storage", "node_modules/.cache", ".env"}));
}

TEST(DeployKeyErrors, SharedPathsStayInsideTheRelease) {
  for (std::string_view bad : {"/var/data", "../up", "a/../../b", "", "a//b", "./x", "a/."}) {
    SCOPED_TRACE(bad);
    expect_error(fmt::format("{}shared = [\"{}\"]\n", kManaged, bad), 5,
                 "'shared' in [services.web]: '");
  }
  expect_error(managed("keep = 0\n"), 5, "'keep' in [services.web] must be from 1 to 100, not 0");
  expect_error(managed("build = []\n"), 5, "'build' in [services.web] is empty");
}

TEST(DeployKeys, StrategyNames) {
  EXPECT_EQ(deploy_of(kManaged, "strategy = \"rolling\"").strategy, Strategy::rolling);
  EXPECT_EQ(deploy_of(kManaged, "strategy = \"blue_green\"").strategy, Strategy::blue_green);
  EXPECT_EQ(deploy_of(kManaged, "strategy = \"recreate\"").strategy, Strategy::recreate);
  EXPECT_EQ(deploy_of(kManaged, "strategy = \"canary\"").strategy, Strategy::canary);
  for (auto strategy : {Strategy::rolling, Strategy::blue_green, Strategy::recreate, Strategy::canary})
    EXPECT_EQ(parse_strategy(to_string(strategy)), strategy);
  EXPECT_EQ(to_string(Strategy::blue_green), "blue-green");
  EXPECT_FALSE(parse_strategy("canaries").has_value());
}

TEST(DeployKeys, CanaryDefaultsAndSettings) {
  auto defaults = deploy_of(kManaged, "strategy = \"canary\"").canary;
  EXPECT_EQ(defaults.steps, (std::vector<unsigned>{5, 25, 50}));
  EXPECT_EQ(defaults.interval, 60s);
  EXPECT_DOUBLE_EQ(defaults.max_error_rate, 0.01);
  EXPECT_DOUBLE_EQ(defaults.max_p99_ratio, 1.5);
  EXPECT_EQ(defaults.min_requests, 50u);
  EXPECT_FALSE(defaults.pass_when_quiet);
  EXPECT_EQ(defaults.p99_floor, 20ms);
  auto set = deploy_of(kManaged, "strategy = \"canary\"\ncanary_steps = [10, 50]\ncanary_interval = \"30s\"\n"
                                 "max_error_rate = \"0.5%\"\nmax_p99_ratio = 2\nmin_requests = 100\n"
                                 "max_window_extensions = 5\ntoo_few_requests = \"pass\"\np99_floor = \"50ms\"\n")
                 .canary;
  EXPECT_EQ(set.steps, (std::vector<unsigned>{10, 50}));
  EXPECT_EQ(set.interval, 30s);
  EXPECT_DOUBLE_EQ(set.max_error_rate, 0.005);
  EXPECT_DOUBLE_EQ(set.max_p99_ratio, 2.0);
  EXPECT_EQ(set.min_requests, 100u);
  EXPECT_EQ(set.max_extensions, 5u);
  EXPECT_TRUE(set.pass_when_quiet);
  EXPECT_EQ(set.p99_floor, 50ms);
}

TEST(DeployKeyErrors, CanarySettingsNameTheFieldAndWhy) {
  expect_error(managed("canary_steps = [5, 50, 25]\n"), 5,
               "'canary_steps' in [services.web] steps must increase: 25% comes after 50%");
  expect_error(managed("canary_steps = [5, 100]\n"), 5, "step 100% is not a share from 1 to 99");
  expect_error(managed("canary_steps = [\"5\"]\n"), 5, "must be an array of whole percentages");
  expect_error(managed("canary_steps = []\n"), 5, "needs at least one step");
  expect_error(managed("max_error_rate = \"one\"\n"), 5, "'max_error_rate' in [services.web] 'one' is not a percentage");
  expect_error(managed("max_error_rate = \"101%\"\n"), 5, "is not from 0% to 100%");
  expect_error(managed("max_p99_ratio = \"fast\"\n"), 5, "'max_p99_ratio' in [services.web] must be a number");
  expect_error(managed("max_p99_ratio = 0.5\n"), 5, "0.5 is not a ratio from 1 to 100");
  expect_error(managed("min_requests = 0\n"), 5, "'min_requests' in [services.web] must be from 1");
  expect_error(managed("too_few_requests = \"maybe\"\n"), 5, "'too_few_requests' in [services.web] must be one of");
}

TEST(DeployKeyErrors, ACanaryNeedsAServiceWithACommand) {
  expect_error(std::string(kExternal) + "strategy = \"canary\"\n", 5, "\"canary\" needs a service with a command");
}

TEST(DeployKeys, ExternalServicesTakeEveryDeployKey) {
  auto deploy = deploy_of(kExternal, "strategy = \"recreate\"\nsmoke = \"./check\"\n"
                                     "drain_timeout = \"1s\"\n");
  EXPECT_EQ(deploy.strategy, Strategy::recreate);
  EXPECT_EQ(deploy.smoke.command, std::vector<std::string>{"./check"});
  EXPECT_EQ(deploy.drain_timeout, 1s);
}

TEST(DeployKeyErrors, UnknownStrategyListsTheValidOnes) {
  expect_error(managed("strategy = \"bluegreen\"\n"), 5,
               "'strategy' in [services.web] must be one of 'rolling', 'blue-green', 'recreate', 'canary', "
               "not 'bluegreen' (did you mean 'blue-green'?)");
}

TEST(DeployKeyErrors, OutOfRangeNumbers) {
  expect_error(managed("max_surge = 0\n"), 5,
               "'max_surge' in [services.web] must be from 1 to 256, not 0");
  expect_error(managed("max_paused_requests = 0\n"), 5,
               "'max_paused_requests' in [services.web] must be from 1 to 1000000, not 0");
  expect_error(managed("version_affinity = \"yes\"\n"), 5,
               "'version_affinity' in [services.web] must be a boolean, not a string");
}

TEST(DeployKeyErrors, Durations) {
  for (std::string_view key : {"standby_ttl", "drain_timeout", "deploy_timeout", "max_pause",
                               "hook_timeout", "build_timeout"}) {
    SCOPED_TRACE(key);
    expect_error(fmt::format("{}{} = \"0s\"\n", kManaged, key), 5,
                 fmt::format("'{}' in [services.web] must be longer than zero", key));
    expect_error(fmt::format("{}{} = 30\n", kManaged, key), 5, "must be a duration string");
  }
}

TEST(DeployKeyErrors, Hooks) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"\"\"", "is empty; give the command line to run"},
      {"[]", "is empty; list the program and its arguments"},
      {"[\"\", \"x\"]", "starts with an empty program name"},
      {"[\"a\", 1]", "must hold only strings, not an integer"},
      {"1", "must be a string or an array of strings"},
  };
  for (std::string_view key : {"pre_deploy", "smoke", "post_deploy"}) {
    for (auto [value, problem] : cases) {
      SCOPED_TRACE(fmt::format("{} = {}", key, value));
      expect_error(fmt::format("{}{} = {}\n", kExternal, key, value), 5,
                   fmt::format("'{}' in [services.web] {}", key, problem));
    }
  }
}

TEST(DeployKeyErrors, TypoSuggestsTheKey) {
  expect_error(managed("stratgy = \"rolling\"\n"), 5,
               "unknown key 'stratgy' in [services.web] (did you mean 'strategy'?)");
}
}  // namespace
}  // namespace baton
