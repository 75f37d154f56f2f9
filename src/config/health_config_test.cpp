// The `health` key of a service: the shorthand, the table, and every rejection.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "config/loader_test_support.hpp"

namespace baton {
namespace {
using namespace std::chrono_literals;
using testing::expect_error;
using testing::parse_ok;

constexpr std::string_view kWebService = "\n[services.web]\nlisten = \"127.0.0.1:8080\"\n"
                                      "command = \"./server\"\n";

// A managed service "web" whose table ends with `rest` (from line 5 on).
std::string web(std::string_view rest) { return fmt::format("{}{}", kWebService, rest); }

// The health check of that service.
HealthCheck health_of(std::string_view lines) {
  Config config = parse_ok(web(lines));
  auto it = config.services.find("web");
  return it == config.services.end() ? HealthCheck{} : it->second.health;
}

TEST(HealthKeys, DefaultIsATcpCheck) {
  Config config = parse_ok(kWebService);
  const ServiceConfig& web = config.services.at("web");
  EXPECT_FALSE(web.health_configured);
  EXPECT_EQ(web.health.kind, HealthCheck::Kind::tcp);
  EXPECT_EQ(web.health.interval, defaults::kHealthInterval);
  EXPECT_EQ(web.health.timeout, defaults::kHealthTimeout);
  EXPECT_EQ(web.health.healthy_threshold, defaults::kHealthyThreshold);
  EXPECT_EQ(web.health.unhealthy_threshold, defaults::kUnhealthyThreshold);
  EXPECT_EQ(web.health.startup_interval, defaults::kHealthStartupInterval);
}

TEST(HealthKeys, PathShorthandIsAnHttpCheck) {
  Config config = parse_ok(web("health = \"/healthz\"\n"));
  const ServiceConfig& web = config.services.at("web");
  EXPECT_TRUE(web.health_configured);
  EXPECT_EQ(web.health.kind, HealthCheck::Kind::http);
  EXPECT_EQ(web.health.path, "/healthz");
  EXPECT_TRUE(web.health.host.empty());
  EXPECT_EQ(web.health.expect_min, 200u);
  EXPECT_EQ(web.health.expect_max, 299u);
}

TEST(HealthKeys, TableWithEveryKey) {
  auto health = health_of(R"(
[services.web.health]
type = "http"
path = "/status?deep=1"
host = "app.internal:8080"
expect = "200-204"
interval = "5s"
timeout = "1s"
healthy_threshold = 2
unhealthy_threshold = 4
startup_interval = "50ms"
)");
  EXPECT_EQ(health.kind, HealthCheck::Kind::http);
  EXPECT_EQ(health.path, "/status?deep=1");
  EXPECT_EQ(health.host, "app.internal:8080");
  EXPECT_EQ(health.expect_min, 200u);
  EXPECT_EQ(health.expect_max, 204u);
  EXPECT_EQ(health.interval, 5s);
  EXPECT_EQ(health.timeout, 1s);
  EXPECT_EQ(health.healthy_threshold, 2u);
  EXPECT_EQ(health.unhealthy_threshold, 4u);
  EXPECT_EQ(health.startup_interval, 50ms);
}

TEST(HealthKeys, ExpectTakesASingleStatus) {
  EXPECT_EQ(health_of("[services.web.health]\nexpect = 204\n").expect_min, 204u);
  EXPECT_EQ(health_of("[services.web.health]\nexpect = 204\n").expect_max, 204u);
  EXPECT_EQ(health_of("[services.web.health]\nexpect = \"301\"\n").expect_max, 301u);
}

TEST(HealthKeys, TypeFollowsTheKeysWhenLeftOut) {
  EXPECT_EQ(health_of("[services.web.health]\npath = \"/up\"\n").kind, HealthCheck::Kind::http);
  EXPECT_EQ(health_of("[services.web.health]\nexpect = 200\n").kind, HealthCheck::Kind::http);
  EXPECT_EQ(health_of("[services.web.health]\ninterval = \"1s\"\n").kind, HealthCheck::Kind::tcp);
  auto tcp = health_of("[services.web.health]\ntype = \"tcp\"\ntimeout = \"500ms\"\n");
  EXPECT_EQ(tcp.kind, HealthCheck::Kind::tcp);
  EXPECT_EQ(tcp.timeout, 500ms);
}

TEST(HealthKeys, ExternalServicesTakeHealthToo) {
  Config config = parse_ok(R"(
[services.api]
listen = "127.0.0.1:8080"
targets = ["127.0.0.1:9001"]
health = { path = "/ready", unhealthy_threshold = 1 }
)");
  const ServiceConfig& api = config.services.at("api");
  EXPECT_TRUE(api.health_configured);
  EXPECT_EQ(api.health.kind, HealthCheck::Kind::http);
  EXPECT_EQ(api.health.path, "/ready");
  EXPECT_EQ(api.health.unhealthy_threshold, 1u);
}

TEST(HealthKeyErrors, PathMustStartWithSlash) {
  expect_error(web("health = \"healthz\"\n"), 5,
               "'health' in [services.web] must start with '/', not 'healthz'");
  expect_error(web("[services.web.health]\npath = \"up\"\n"), 6,
               "'path' in [services.web.health] must start with '/'");
  expect_error(web("health = \"/a b\"\n"), 5, "must not contain spaces");
  expect_error(web("health = \"/a#b\"\n"), 5, "must not contain '#'");
}

TEST(HealthKeyErrors, HealthMustBeAPathOrATable) {
  expect_error(web("health = true\n"), 5,
               "'health' in [services.web] must be a path such as \"/healthz\" or a table");
}

TEST(HealthKeyErrors, UnknownKeyInTheHealthTable) {
  expect_error(web("[services.web.health]\npath = \"/up\"\nintervall = \"1s\"\n"),
               7, "unknown key 'intervall' in [services.web.health] (did you mean 'interval'?)");
}

TEST(HealthKeyErrors, UnknownType) {
  expect_error(web("[services.web.health]\ntype = \"htp\"\n"), 6,
               "'type' in [services.web.health] must be one of 'http', 'tcp', not 'htp' "
               "(did you mean 'http'?)");
}

TEST(HealthKeyErrors, HttpKeysInATcpCheck) {
  expect_error(web("[services.web.health]\ntype = \"tcp\"\nhost = \"a\"\n"), 7,
               "'host' in [services.web.health] is only for an HTTP check");
}

TEST(HealthKeyErrors, BadExpect) {
  auto with = [](std::string_view value) {
    return web(fmt::format("[services.web.health]\nexpect = {}\n", value));
  };
  expect_error(with("\"2xx\""), 6,
               "'expect' in [services.web.health]: must be a status such as 200 or a range");
  expect_error(with("700"), 6, "700 is not an HTTP status (100-599)");
  expect_error(with("\"299-200\""), 6, "'299-200' ends below its start");
  expect_error(with("\"200-\""), 6, "not '200-'");
  expect_error(with("[200]"), 6, "'expect' in [services.web.health] must be a status");
}

TEST(HealthKeyErrors, ZeroThresholdsAndIntervals) {
  auto with = [](std::string_view line) {
    return web(fmt::format("[services.web.health]\n{}\n", line));
  };
  expect_error(with("healthy_threshold = 0"), 6,
               "'healthy_threshold' in [services.web.health] must be from 1 to 100, not 0");
  expect_error(with("unhealthy_threshold = 0"), 6, "must be from 1 to 100, not 0");
  expect_error(with("interval = \"0s\""), 6,
               "'interval' in [services.web.health] must be longer than zero");
  expect_error(with("timeout = \"0ms\""), 6, "must be longer than zero");
  expect_error(with("startup_interval = 25"), 6, "must be a duration string");
}

TEST(HealthKeyErrors, BadHost) {
  expect_error(web("[services.web.health]\nhost = \"a b\"\n"), 6,
               "'host' in [services.web.health] must be a host name, optionally with ':port', "
               "not 'a b'");
  expect_error(web("[services.web.health]\nhost = \"\"\n"), 6,
               "'host' in [services.web.health] is empty");
}
}  // namespace
}  // namespace baton
