#include "app/deploy_body.hpp"

#include <gtest/gtest.h>

namespace baton {
namespace {
deploy::ReleaseSpec base() {
  deploy::ReleaseSpec spec;
  spec.command = {"app"};
  spec.env = {{"A", "1"}};
  return spec;
}

TEST(DeployBody, FieldsLandOnTheConfigsSpec) {
  auto request = parse_deploy_body(
      R"({"version":"v2","strategy":"blue-green","command":["./app","{port}"],"env":{"A":"2","B":"3"},
          "instances":3,"cwd":"/srv","who":"ci","detach":true})",
      base(), "web");
  ASSERT_TRUE(request) << request.error();
  EXPECT_EQ(request->service, "web");
  EXPECT_EQ(request->version, "v2");
  EXPECT_EQ(request->strategy, Strategy::blue_green);
  EXPECT_EQ(request->spec.command, (std::vector<std::string>{"./app", "{port}"}));
  EXPECT_EQ(request->spec.env, (supervisor::EnvList{{"A", "2"}, {"B", "3"}}));
  EXPECT_EQ(request->spec.instances, 3u);
  EXPECT_EQ(request->spec.cwd, "/srv");
  EXPECT_EQ(request->who, "ci");
  EXPECT_TRUE(parse_deploy_body("", base(), "web")) << "an empty body deploys the config as it is";
}

TEST(DeployBody, FromIsAnAbsoluteBuildDirectoryAndNotWithCwd) {
  auto request = parse_deploy_body(R"({"from":"/srv/build/web"})", base(), "web");
  ASSERT_TRUE(request) << request.error();
  EXPECT_EQ(request->from, "/srv/build/web");
  for (const char* body : {R"({"from":"build"})", R"({"from":7})",
                           R"({"from":"/srv/build","cwd":"/srv"})"}) {
    auto refused = parse_deploy_body(body, base(), "web");
    EXPECT_FALSE(refused) << body;
  }
  EXPECT_TRUE(parse_deploy_body(R"({"from":""})", base(), "web")) << "empty: no copy, as if absent";
}

TEST(DeployBody, EveryBadShapeIsRefusedWithAMessage) {
  for (const char* body : {R"([1])", R"({"a":)", R"({"instances":0})", R"({"instances":1001})",
                           R"({"instances":4294967297})", R"({"instances":-1})", R"({"instances":"3"})",
                           R"({"detach":"yes"})", R"({"env":{"A=B":"x"}})", R"({"env":{"A":1}})",
                           R"({"targets":["127.0.0.1:9000"]})", R"({"strategy":"sideways"})", R"({"command":[]})",
                           R"({"command":[1]})", R"({"version":7})", R"({"surprise":true})"}) {
    auto request = parse_deploy_body(body, base(), "web");
    ASSERT_FALSE(request) << body;
    EXPECT_FALSE(request.error().empty()) << body;
  }
}

TEST(DeployBody, ACanaryTakesItsStepsIntervalAndPause) {
  auto request = parse_deploy_body(R"({"strategy":"canary","steps":"10,30","interval":"5s","pause_at":30})", base(), "web");
  ASSERT_TRUE(request) << request.error();
  EXPECT_EQ(request->strategy, Strategy::canary);
  EXPECT_EQ(request->spec.deploy.canary.steps, (std::vector<unsigned>{10, 30}));
  EXPECT_EQ(request->spec.deploy.canary.interval, std::chrono::seconds(5));
  EXPECT_EQ(request->spec.deploy.canary.pause_at, 30u);
  request = parse_deploy_body(R"({"strategy":"canary","steps":[1,2,3]})", base(), "web");
  ASSERT_TRUE(request) << request.error();
  EXPECT_EQ(request->spec.deploy.canary.steps, (std::vector<unsigned>{1, 2, 3}));
}

TEST(DeployBody, BadCanarySettingsNameTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"strategy":"canary","steps":"5,50,25"})", "steps: steps must increase: 25% comes after 50%"},
      {R"({"strategy":"canary","steps":[5,100]})", "steps: step 100% is not a share from 1 to 99"},
      {R"({"strategy":"canary","steps":"5,x"})", "steps: 'x' is not a whole percentage"},
      {R"({"strategy":"canary","steps":[5.5]})", "steps must be whole percentages"},
      {R"({"strategy":"canary","interval":"soon"})", "interval must be a duration"},
      {R"({"strategy":"canary","interval":60})", "interval must be a duration"},
      {R"({"strategy":"canary","pause_at":30})", "pause_at 30 is not one of the steps (5,25,50)"},
      {R"({"strategy":"canary","pause_at":100})", "pause_at must be a share from 1 to 99"},
      {R"({"steps":"5,25"})", "steps, interval and pause_at are a canary's"},
  };
  for (auto [body, message] : cases) {
    auto request = parse_deploy_body(body, base(), "web");
    ASSERT_FALSE(request) << body;
    EXPECT_NE(request.error().find(message), std::string::npos) << body << ": " << request.error();
  }
}

TEST(DeployBody, ScaleCountsAreBoundedAndStartDefaultsToTheConfig) {
  using nlohmann::json;
  EXPECT_EQ(scale_count(json{{"instances", 4}}, "scale", 2).value(), 4u);
  EXPECT_EQ(scale_count(json{{"instances", 0}}, "scale", 2).value(), 0u);
  EXPECT_EQ(scale_count(json::object(), "start", 2).value(), 2u);
  EXPECT_EQ(scale_count(json::object(), "stop", 2).value(), 0u);
  EXPECT_FALSE(scale_count(json::object(), "scale", 2));
  EXPECT_FALSE(scale_count(json{{"instances", 0}}, "start", 2));
  EXPECT_FALSE(scale_count(json{{"instances", 4294967297ull}}, "scale", 2));
  EXPECT_FALSE(scale_count(json{{"instances", 3}}, "stop", 2));
  EXPECT_FALSE(scale_count(json{{"count", 3}}, "scale", 2));
}
}  // namespace
}  // namespace baton
