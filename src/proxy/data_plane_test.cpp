// The runtime-route features of the data plane, in process: a real ProxyServer
// in front of FakeUpstreams, with tables published the way the control plane does.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <map>
#include <set>

#include "config/loader.hpp"
#include "proxy/loopback_test_util.hpp"
#include "proxy/proxy_server.hpp"

namespace baton::proxy {
namespace {
using namespace testing;
using namespace std::chrono_literals;

class DataPlane : public ::testing::Test {
 protected:
  void start(const std::vector<const FakeUpstream*>& upstreams) {
    std::string targets;
    for (const auto* u : upstreams) targets += fmt::format("\"{}\",", u->address());
    auto text =
        fmt::format("[proxy]\nthreads = 2\n[services.app]\nlisten = \"127.0.0.1:0\"\ntargets = [{}]\n", targets);
    auto config = parse_config(text, "test.toml");
    ASSERT_TRUE(config) << config.error();
    config_ = *config;
    auto server = ProxyServer::start(config_);
    ASSERT_TRUE(server) << server.error();
    server_ = std::move(*server);
  }
  void publish(const RuntimeRoute& route) {
    RuntimeRoutes routes{{"app", route}};
    server_->publish(build_route_table(config_, server_->registry(), routes));
  }
  // Release v1 on `live` and v2, the canary, on `canary`.
  void publish_canary(const FakeUpstream& live, const FakeUpstream& canary, std::map<std::string, unsigned> weights) {
    auto route = route_to({{&live, "v1"}, {&canary, "v2"}});
    route.weights = std::move(weights);
    route.canary = "v2";
    publish(route);
  }
  static RuntimeRoute route_to(const std::vector<std::pair<const FakeUpstream*, std::string>>& targets) {
    RuntimeRoute route;
    for (const auto& [u, release] : targets) route.targets.push_back({local(u->port()), release});
    return route;
  }
  static Address local(std::uint16_t port) { return Address{Address::Kind::tcp, "127.0.0.1", port, {}}; }
  int connect() { return connect_loopback(server_->bound_address(config_.services.at("app").listen)->port); }
  std::size_t held() { return server_->registry().shared_counts("app")->waiting.load(); }
  std::string get(int fd, std::string_view path, std::string_view extra = "") {
    send_all(fd, fmt::format("GET {} HTTP/1.1\r\nHost: test\r\n{}\r\n", path, extra));
    return read_response(fd);
  }

  Config config_;
  std::unique_ptr<ProxyServer> server_;
};

TEST_F(DataPlane, HeldRequestGoesOnOnceThePauseIsLifted) {
  FakeUpstream one("one");
  start({&one});
  auto paused = route_to({{&one, ""}});
  paused.paused = true;
  publish(paused);
  int fd = connect();
  send_all(fd, "GET /name HTTP/1.1\r\nHost: test\r\n\r\n");
  ASSERT_TRUE(eventually([&] { return held() == 1; }));
  publish(route_to({{&one, ""}}));
  auto response = read_response(fd);
  EXPECT_TRUE(response.starts_with("HTTP/1.1 200")) << response;
  EXPECT_EQ(body_of(response), "one");
  EXPECT_EQ(held(), 0u);
  ::close(fd);
}

TEST_F(DataPlane, HeldTooLongGets503) {
  FakeUpstream one("one");
  start({&one});
  auto paused = route_to({});
  paused.paused = true;
  paused.max_pause = 200ms;
  publish(paused);
  int fd = connect();
  auto response = get(fd, "/name");
  EXPECT_TRUE(response.starts_with("HTTP/1.1 503")) << response;
  EXPECT_NE(response.find("X-Baton-Error: paused_too_long"), std::string::npos) << response;
  EXPECT_EQ(held(), 0u);
  ::close(fd);
}

TEST_F(DataPlane, FullPauseQueueRefusesAtOnce) {
  FakeUpstream one("one");
  start({&one});
  auto paused = route_to({{&one, ""}});
  paused.paused = true;
  paused.max_waiting = 1;
  publish(paused);
  int first = connect();
  send_all(first, "GET /name HTTP/1.1\r\nHost: test\r\n\r\n");
  ASSERT_TRUE(eventually([&] { return held() == 1; }));
  publish(paused);  // another table, still paused: the count carries over
  int second = connect();
  auto refused = get(second, "/name");
  EXPECT_TRUE(refused.starts_with("HTTP/1.1 503")) << refused;
  EXPECT_NE(refused.find("X-Baton-Error: pause_queue_full"), std::string::npos) << refused;
  publish(route_to({{&one, ""}}));
  EXPECT_EQ(body_of(read_response(first)), "one");
  ::close(first);
  ::close(second);
}

TEST_F(DataPlane, AffinityCookiePinsTheRelease) {
  FakeUpstream one("one"), two("two");
  start({&one});
  auto route = route_to({{&one, "v1"}, {&two, "v2"}});
  route.affinity_ttl = 60s;
  publish(route);
  int fd = connect();
  auto first = get(fd, "/name");
  auto served = body_of(first);
  auto release = served == "one" ? "v1" : "v2";
  auto cookie = fmt::format("Set-Cookie: baton_app={}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax\r\n", release);
  EXPECT_NE(first.find(cookie), std::string::npos) << first;
  for (int i = 0; i < 6; ++i) {
    auto response = get(fd, "/name", "Cookie: theme=dark; baton_app=v2\r\n");
    EXPECT_EQ(body_of(response), "two");
    EXPECT_NE(response.find("Set-Cookie: baton_app=v2;"), std::string::npos) << response;
  }
  ::close(fd);
}

TEST_F(DataPlane, OneReleaseSetsNoCookieAndIgnoresIt) {
  FakeUpstream one("one"), two("two");
  start({&one});
  publish(route_to({{&one, "v1"}, {&two, "v1"}}));
  int fd = connect();
  std::set<std::string> seen;
  for (int i = 0; i < 4; ++i) {
    auto response = get(fd, "/name", "Cookie: baton_app=v1\r\n");
    EXPECT_EQ(response.find("Set-Cookie"), std::string::npos) << response;
    seen.insert(body_of(response));
  }
  EXPECT_EQ(seen.size(), 2u);
  ::close(fd);
}

TEST_F(DataPlane, CanaryTakesItsShareAndItsClientsKeepTheirSide) {
  FakeUpstream one("one"), two("two");
  start({&one});
  publish_canary(one, two, {{"v1", 80}, {"v2", 20}});
  int fd = connect();
  std::map<std::string, int> served;
  for (int i = 0; i < 200; ++i) {
    auto response = get(fd, "/name");
    auto name = body_of(response);
    served[name]++;
    auto cookie = fmt::format("Set-Cookie: baton_app={};", name == "one" ? "v1" : "v2");
    EXPECT_NE(response.find(cookie), std::string::npos) << response;
  }
  EXPECT_EQ(served["two"], 40);
  EXPECT_EQ(served["one"], 160);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(body_of(get(fd, "/name", "Cookie: baton_app=v2\r\n")), "two");
    EXPECT_EQ(body_of(get(fd, "/name", "Cookie: baton_app=v1\r\n")), "one");
  }
  ::close(fd);
}

// A canary at weight 0 (aborted, or not started yet) sheds its pinned clients at
// once, while testers still reach it; their forced requests leave the cookie alone.
TEST_F(DataPlane, CanaryAtWeightZeroTakesOnlyTesters) {
  FakeUpstream one("one"), two("two");
  start({&one});
  publish_canary(one, two, {{"v1", 100}, {"v2", 0}});
  int fd = connect();
  for (int i = 0; i < 3; ++i) {
    auto pinned = get(fd, "/name", "Cookie: baton_app=v2\r\n");
    EXPECT_EQ(body_of(pinned), "one");
    EXPECT_NE(pinned.find("Set-Cookie: baton_app=v1;"), std::string::npos) << pinned;
    auto always = get(fd, "/name", "Cookie: baton_app=v1\r\nX-Baton-Canary: always\r\n");
    EXPECT_EQ(body_of(always), "two");
    EXPECT_EQ(always.find("Set-Cookie"), std::string::npos) << always;
    auto never = get(fd, "/name", "X-Baton-Canary: never\r\n");
    EXPECT_EQ(body_of(never), "one");
    EXPECT_EQ(never.find("Set-Cookie"), std::string::npos) << never;
  }
  ::close(fd);
}

TEST_F(DataPlane, PooledConnectionsToADroppedTargetClose) {
  FakeUpstream one("one"), two("two");
  start({&one});
  int fd = connect();
  EXPECT_EQ(body_of(get(fd, "/name")), "one");
  ASSERT_EQ(one.open_connections(), 1) << "the upstream connection is pooled";
  publish(route_to({{&two, ""}}));
  EXPECT_TRUE(eventually([&] { return one.open_connections() == 0; }));
  EXPECT_EQ(body_of(get(fd, "/name")), "two");
  ::close(fd);
}

TEST_F(DataPlane, StreamingResponseCountsInFlightUntilCutAtTheDrainDeadline) {
  FakeUpstream one("one"), two("two");
  start({&one});
  int fd = connect();
  send_all(fd, "GET /stream HTTP/1.1\r\nHost: test\r\n\r\n");
  std::string buffer;
  ASSERT_TRUE(read_until(fd, buffer, [](const std::string& b) { return b.find("first") != std::string::npos; }));
  auto target = server_->target(local(one.port()));
  ASSERT_TRUE(target);
  EXPECT_EQ(target->counters.in_flight.load(), 1);
  publish(route_to({{&two, ""}}));
  auto now = std::chrono::steady_clock::now().time_since_epoch();
  target->drain_deadline_ns.store(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
  EXPECT_TRUE(closed_by_peer(fd));
  EXPECT_TRUE(eventually([&] { return target->counters.in_flight.load() == 0; }));
  EXPECT_EQ(target->counters.cut.load(), 1u);
  EXPECT_TRUE(eventually([&] { return one.open_connections() == 0; }));
  ::close(fd);
}

TEST_F(DataPlane, TunnelCountsInFlightForItsLifeAndIsCut) {
  FakeUpstream one("one");
  start({&one});
  int fd = connect();
  send_all(fd, "GET /ws HTTP/1.1\r\nHost: test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
               "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
  std::string buffer;
  ASSERT_TRUE(read_until(fd, buffer, has_head));
  EXPECT_TRUE(buffer.starts_with("HTTP/1.1 101")) << buffer;
  auto target = server_->target(local(one.port()));
  EXPECT_EQ(target->counters.in_flight.load(), 1);
  std::this_thread::sleep_for(250ms);  // a few ticks: no deadline yet, the tunnel stays
  EXPECT_EQ(target->counters.in_flight.load(), 1);
  auto later = std::chrono::steady_clock::now().time_since_epoch() + 100ms;
  target->drain_deadline_ns.store(std::chrono::duration_cast<std::chrono::nanoseconds>(later).count());
  EXPECT_TRUE(closed_by_peer(fd));
  EXPECT_TRUE(eventually([&] { return target->counters.in_flight.load() == 0; }));
  EXPECT_EQ(target->counters.cut.load(), 1u);
  ::close(fd);
}
}  // namespace
}  // namespace baton::proxy
