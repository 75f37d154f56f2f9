#include "app/release_codec.hpp"

#include <gtest/gtest.h>

namespace baton {
namespace {
using namespace std::chrono_literals;

deploy::ReleaseSpec full_spec() {
  deploy::ReleaseSpec spec;
  spec.command = {"./server", "--port", "{port}"};
  spec.command_is_line = false;
  spec.cwd = "/srv/app";
  spec.env = {{"MODE", "prod"}, {"EMPTY", ""}};
  spec.instances = 4;
  spec.health.kind = HealthCheck::Kind::http;
  spec.health.path = "/healthz";
  spec.health.host = "app.local";
  spec.health.expect_min = 200;
  spec.health.expect_max = 204;
  spec.health.interval = 3s;
  spec.health.timeout = 700ms;
  spec.health.healthy_threshold = 2;
  spec.health.unhealthy_threshold = 5;
  spec.health.startup_interval = 40ms;
  spec.deploy.strategy = Strategy::blue_green;
  spec.deploy.max_surge = 2;
  spec.deploy.standby_ttl = 60s;
  spec.deploy.drain_timeout = 5s;
  spec.deploy.deploy_timeout = 30s;
  spec.deploy.max_pause = 9s;
  spec.deploy.max_paused_requests = 77;
  spec.deploy.version_affinity = false;
  spec.deploy.pre_deploy = HookCommand{{"./migrate"}, true};
  spec.deploy.smoke = HookCommand{{"curl", "-f", "x"}, false};
  spec.deploy.hook_timeout = 12s;
  spec.deploy.canary = CanaryConfig{.steps = {10, 40}, .interval = 20s, .max_error_rate = 0.02, .max_p99_ratio = 2.5, .p99_floor = 7ms,
                                    .min_requests = 80, .max_extensions = 1, .pass_when_quiet = true, .pause_at = 40};
  spec.deploy.watch = 45s;
  return spec;
}

TEST(ReleaseCodec, EveryFieldOfAManagedSpecSurvivesTheRoundTrip) {
  auto spec = full_spec();
  auto back = spec_from_json(nlohmann::json::parse(spec_to_json(spec).dump()));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->command, spec.command);
  EXPECT_FALSE(back->command_is_line);
  EXPECT_EQ(back->cwd, spec.cwd);
  EXPECT_EQ(back->env, spec.env);
  EXPECT_EQ(back->instances, 4u);
  EXPECT_EQ(back->health.kind, HealthCheck::Kind::http);
  EXPECT_EQ(back->health.path, "/healthz");
  EXPECT_EQ(back->health.host, "app.local");
  EXPECT_EQ(back->health.expect_max, 204u);
  EXPECT_EQ(back->health.interval, 3s);
  EXPECT_EQ(back->health.timeout, 700ms);
  EXPECT_EQ(back->health.healthy_threshold, 2u);
  EXPECT_EQ(back->health.unhealthy_threshold, 5u);
  EXPECT_EQ(back->health.startup_interval, 40ms);
  EXPECT_EQ(back->deploy.strategy, Strategy::blue_green);
  EXPECT_EQ(back->deploy.max_surge, 2u);
  EXPECT_EQ(back->deploy.standby_ttl, 60s);
  EXPECT_EQ(back->deploy.drain_timeout, 5s);
  EXPECT_EQ(back->deploy.deploy_timeout, 30s);
  EXPECT_EQ(back->deploy.max_pause, 9s);
  EXPECT_EQ(back->deploy.max_paused_requests, 77u);
  EXPECT_FALSE(back->deploy.version_affinity);
  EXPECT_EQ(back->deploy.pre_deploy.command, spec.deploy.pre_deploy.command);
  EXPECT_TRUE(back->deploy.pre_deploy.is_shell_string);
  EXPECT_EQ(back->deploy.smoke.command, spec.deploy.smoke.command);
  EXPECT_TRUE(back->deploy.post_deploy.empty());
  EXPECT_EQ(back->deploy.hook_timeout, 12s);
  EXPECT_EQ(back->deploy.canary, spec.deploy.canary);
  EXPECT_EQ(back->deploy.watch, 45s);
}

TEST(ReleaseCodec, ExternalTargetsSurviveTheRoundTrip) {
  deploy::ReleaseSpec spec;
  spec.targets = {*parse_address("127.0.0.1:9001"), *parse_address("unix:/run/app.sock")};
  spec.trust_targets = true;
  auto back = spec_from_json(spec_to_json(spec));
  ASSERT_TRUE(back) << back.error();
  EXPECT_TRUE(back->external());
  EXPECT_EQ(back->targets, spec.targets);
  EXPECT_TRUE(back->trust_targets);
}

TEST(ReleaseCodec, MissingFieldsKeepTheirDefaults) {
  auto back = spec_from_json(nlohmann::json{{"command", {"app"}}});
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->instances, 1u);
  EXPECT_EQ(back->deploy.drain_timeout, defaults::kDrainTimeout);
  EXPECT_EQ(back->health.kind, HealthCheck::Kind::tcp);
}

TEST(ReleaseCodec, ABrokenSpecIsOneClearErrorNeverAHalfReadSpec) {
  for (const char* text : {R"([1, 2])", R"({})", R"({"command": "app"})", R"({"command": ["app"], "instances": "4"})",
                           R"({"command": ["app"], "env": [["A"]]})", R"({"targets": ["nowhere"]})",
                           R"({"command": ["app"], "deploy": {"strategy": "sideways"}})",
                           R"({"command": ["app"], "instances": -3})", R"({"command": ["app"], "instances": 5000})",
                           R"({"command": ["app"], "deploy": {"drain_timeout_ms": -1}})",
                           R"({"command": ["app"], "health": {"interval_ms": "1s"}})"}) {
    auto back = spec_from_json(nlohmann::json::parse(text));
    EXPECT_FALSE(back) << text;
  }
}

TEST(ReleaseCodec, ARecordKeepsIdVersionStatusAuthorTimeAndReason) {
  deploy::Release release{.id = "r7", .version = "v1.4", .spec = full_spec(),
                          .status = deploy::ReleaseStatus::rolled_back, .created_ms = 1'700'000'000'123,
                          .created_by = "alice", .reason = "error rate 12%"};
  auto record = to_record("web", release);
  EXPECT_EQ(record.service, "web");
  EXPECT_EQ(record.status, state::ReleaseStatus::rolled_back);
  auto back = from_record(record);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->id, "r7");
  EXPECT_EQ(back->version, "v1.4");
  EXPECT_EQ(back->status, deploy::ReleaseStatus::rolled_back);
  EXPECT_EQ(back->created_ms, 1'700'000'000'123);
  EXPECT_EQ(back->created_by, "alice");
  EXPECT_EQ(back->reason, "error rate 12%");
  EXPECT_EQ(back->spec.command, release.spec.command);
}

TEST(ReleaseCodec, ARecordWhoseSpecIsNotJsonNamesTheRelease) {
  state::ReleaseRecord record{.id = "r3", .service = "web", .spec_json = "{not json"};
  auto back = from_record(record);
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error(), "release r3 of 'web': its spec is not JSON");
}
}  // namespace
}  // namespace baton
