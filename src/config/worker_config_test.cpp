// Workers in the config: a managed service without listen, its readiness keys (min_uptime,
// notify, watchdog), and the keys that need listen.
#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "config/loader_test_support.hpp"

namespace baton {
namespace {
using namespace std::chrono_literals;
using testing::expect_error;
using testing::parse_ok;

TEST(WorkerConfig, AManagedServiceWithoutListenIsAWorkerWithDefaults) {
  auto config = parse_ok(R"(
[services.mailer]
command = ["/usr/bin/mailer", "--queue", "mail"]
instances = 2
)");
  const auto& service = config.services.at("mailer");
  EXPECT_TRUE(service.worker);
  EXPECT_FALSE(service.min_uptime) << "unset: the defaults apply";
  EXPECT_FALSE(service.notify);
  EXPECT_EQ(service.watchdog, 0ms);
  EXPECT_EQ(service.instances, 2u);
}

TEST(WorkerConfig, ReadsMinUptimeNotifyAndWatchdog) {
  auto config = parse_ok(R"(
[services.slow]
command = "exec ./slow-worker"
min_uptime = "5s"

[services.systemd]
command = ["./worker"]
notify = true
watchdog = "30s"

[services.web]
listen = "127.0.0.1:0"
command = ["./web", "{port}"]
notify = true
)");
  EXPECT_EQ(config.services.at("slow").min_uptime, std::optional(5s));
  EXPECT_TRUE(config.services.at("systemd").notify);
  EXPECT_EQ(config.services.at("systemd").watchdog, 30s);
  EXPECT_FALSE(config.services.at("web").worker);
  EXPECT_TRUE(config.services.at("web").notify);
}

TEST(WorkerConfig, TwoWorkersNeverClashOnARoute) {
  auto config = parse_ok(R"(
[services.a]
command = ["./a"]

[services.b]
command = ["./b"]

[sites.front]
root = "/srv/front"
listen = "127.0.0.1:0"
)");
  EXPECT_EQ(config.services.size(), 2u);
}

TEST(WorkerConfig, AnExternalServiceStillNeedsListen) {
  expect_error(R"(
[services.api]
targets = ["127.0.0.1:9000"]
)", 2, "missing key 'listen' in [services.api]: the address its clients connect to (only a service with command");
}

TEST(WorkerConfig, AHealthCheckOnAWorkerIsRefused) {
  expect_error(R"(
[services.mailer]
command = ["./mailer"]
health = "/healthz"
)", 4, "'health' in [services.mailer] needs listen: a worker (a service without listen) has no port to check");
  expect_error(R"(
[services.mailer]
command = ["./mailer"]

[services.mailer.health]
type = "tcp"
)", 5, "'health' in [services.mailer] needs listen");
}

TEST(WorkerConfig, RoutingKeysOnAWorkerAreRefusedAtTheirLine) {
  expect_error(R"(
[services.mailer]
command = ["./mailer"]
socket_activation = true
hosts = ["mail.example.com"]
)", 4, "'socket_activation' in [services.mailer] needs listen: a worker (a service without listen) takes no "
       "requests");
  expect_error(R"(
[services.mailer]
command = ["./mailer"]
path = "/mail"
)", 4, "'path' in [services.mailer] needs listen");
  expect_error(R"(
[services.mailer]
command = ["./mailer"]
strategy = "rolling"
watch = "1m"
)", 5, "'watch' in [services.mailer] needs listen");
}

TEST(WorkerConfig, ACanaryOfAWorkerIsRefused) {
  expect_error(R"(
[services.mailer]
command = ["./mailer"]
strategy = "canary"
)", 4, "'strategy' in [services.mailer] \"canary\" needs listen: a canary is judged by the requests it serves");
}

TEST(WorkerConfig, AWorkerHasNoPortToSubstitute) {
  expect_error(R"(
[services.mailer]
command = ["./mailer", "--port", "{port}"]
)", 3, "'command' in [services.mailer] uses {port}, but a worker (a service without listen) has no port");
}

TEST(WorkerConfig, MinUptimeIsADurationForAnyManagedService) {
  auto config = parse_ok(R"(
[services.web]
listen = "127.0.0.1:0"
command = ["./web"]
min_uptime = "2s"

[services.mailer]
command = ["./mailer"]
notify = true
min_uptime = "3s"
)");
  EXPECT_EQ(config.services.at("web").min_uptime, std::optional(2s)) << "how long a run counts as started, for the backoff";
  EXPECT_EQ(config.services.at("mailer").min_uptime, std::optional(3s));
  expect_error(R"(
[services.mailer]
command = ["./mailer"]
min_uptime = 2
)", 4, "'min_uptime' in [services.mailer] must be a duration string");
}

TEST(WorkerConfig, WatchdogNeedsNotifyAndASaneLength) {
  expect_error(R"(
[services.mailer]
command = ["./mailer"]
watchdog = "30s"
)", 4, "'watchdog' in [services.mailer] needs notify = true: the pings (WATCHDOG=1) come through NOTIFY_SOCKET");
  expect_error(R"(
[services.mailer]
command = ["./mailer"]
notify = true
watchdog = "10ms"
)", 5, "'watchdog' in [services.mailer] must be at least 1000 ms");
  expect_error(R"(
[services.mailer]
command = ["./mailer"]
notify = "yes"
)", 4, "'notify' in [services.mailer] must be");
}

TEST(WorkerConfig, WorkerKeysOnAnExternalServiceAreRefused) {
  expect_error(R"(
[services.api]
listen = "127.0.0.1:0"
targets = ["127.0.0.1:9000"]
notify = true
)", 5, "'notify' in [services.api] is only for a managed service (one with command)");
}
}  // namespace
}  // namespace baton
