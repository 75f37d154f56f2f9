#include "proxy/release_pick.hpp"

#include <gtest/gtest.h>

#include "config/loader.hpp"

namespace baton::proxy {
namespace {
using http::Field;
using http::HeaderField;
const auto kPickNow = std::chrono::steady_clock::now();
constexpr std::string_view kPickConfig = "[services.app]\nlisten = \"127.0.0.1:8080\"\ntargets = [\"127.0.0.1:9001\"]\n";

// A service "app" with live release r1 (ports 9101, 9102) and canary r2 (port 9201).
class ReleasePick : public ::testing::Test {
 protected:
  const Service& publish(std::map<std::string, unsigned> weights, std::string canary = "r2",
                         bool version_affinity = true) {
    auto config = parse_config(kPickConfig, "test.toml");
    EXPECT_TRUE(config) << config.error();
    RuntimeRoutes runtime;
    auto& route = runtime["app"];
    route.targets = {{local(9101), "r1"}, {local(9201), "r2"}, {local(9102), "r1"}};
    route.weights = std::move(weights);
    route.canary = std::move(canary);
    route.version_affinity = version_affinity;
    table_ = build_route_table(*config, registry_, runtime);
    return *table_->services.front();
  }
  static Address local(std::uint16_t port) { return Address{Address::Kind::tcp, "127.0.0.1", port, {}}; }
  // The port of the target a request with these fields is sent to first.
  static std::uint16_t first_port(const Service& app, std::span<const HeaderField> fields = {}) {
    auto choice = choose_release(app, fields);
    return pick_target(app, choice.release, {}, kPickNow)->address.port;
  }

  TargetRegistry registry_;
  std::shared_ptr<RouteTable> table_;
};
}  // namespace

TEST_F(ReleasePick, NewClientsSplitExactlyByWeight) {
  const auto& app = publish({{"r1", 95}, {"r2", 5}});
  int canary = 0;
  for (int i = 0; i < 1000; ++i) canary += first_port(app) == 9201;
  EXPECT_EQ(canary, 50);
}

TEST_F(ReleasePick, TheRoundGoesOnInTheNextTable) {
  int canary = 0;
  for (int i = 0; i < 100; ++i) canary += first_port(publish({{"r1", 90}, {"r2", 10}})) == 9201;
  EXPECT_EQ(canary, 10) << "a publish per request still gives the canary its share";
}

TEST_F(ReleasePick, WithoutWeightsEveryTargetIsEqual) {
  const auto& app = publish({});
  std::map<std::uint16_t, int> seen;
  for (int i = 0; i < 300; ++i) seen[first_port(app)]++;
  EXPECT_EQ(seen, (std::map<std::uint16_t, int>{{9101, 100}, {9102, 100}, {9201, 100}}));
}

TEST_F(ReleasePick, WeightZeroTakesNoNewClients) {
  const auto& app = publish({{"r1", 100}, {"r2", 0}});
  for (int i = 0; i < 50; ++i) EXPECT_NE(first_port(app), 9201);
}

TEST_F(ReleasePick, CookieKeepsAClientOnItsSideWithoutTakingAStep) {
  const auto& app = publish({{"r1", 50}, {"r2", 50}});
  std::vector<HeaderField> canary{{Field::cookie, "Cookie", "baton_app=r2"}};
  std::vector<HeaderField> live{{Field::cookie, "Cookie", "baton_app=r1"}};
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(first_port(app, canary), 9201);
    EXPECT_NE(first_port(app, live), 9201);
  }
  EXPECT_EQ(app.shared->split_position.load(), 0u);
}

TEST_F(ReleasePick, CookieForAReleaseAtWeightZeroIsIgnored) {
  const auto& app = publish({{"r1", 100}, {"r2", 0}});
  std::vector<HeaderField> canary{{Field::cookie, "Cookie", "baton_app=r2"}};
  for (int i = 0; i < 10; ++i) EXPECT_NE(first_port(app, canary), 9201);
}

TEST_F(ReleasePick, HeaderForcesASideAndLeavesTheCookieAlone) {
  const auto& app = publish({{"r1", 100}, {"r2", 0}});
  std::vector<HeaderField> always{{Field::cookie, "Cookie", "baton_app=r1"},
                                  {Field::unknown, "x-baton-canary", "Always"}};
  auto choice = choose_release(app, always);
  EXPECT_TRUE(choice.forced);
  EXPECT_EQ(choice.release, 1) << "testers reach a canary before it takes any client";
  std::vector<HeaderField> never{{Field::cookie, "Cookie", "baton_app=r2"},
                                 {Field::unknown, "X-Baton-Canary", "never"}};
  auto other = choose_release(publish({{"r1", 50}, {"r2", 50}}), never);
  EXPECT_TRUE(other.forced);
  EXPECT_EQ(other.release, 0);
}

TEST_F(ReleasePick, OtherHeaderValuesOrNoCanaryChangeNothing) {
  std::vector<HeaderField> maybe{{Field::unknown, "X-Baton-Canary", "sometimes"}};
  EXPECT_FALSE(choose_release(publish({{"r1", 50}, {"r2", 50}}), maybe).forced);
  std::vector<HeaderField> always{{Field::unknown, "X-Baton-Canary", "always"}};
  EXPECT_FALSE(choose_release(publish({{"r1", 50}, {"r2", 50}}, ""), always).forced);
  EXPECT_FALSE(choose_release(publish({{"r1", 50}, {"r2", 50}}, "r9"), always).forced);
}

TEST_F(ReleasePick, ARequestThatDrewTheCanaryFallsBackToAnOpenRelease) {
  const auto& app = publish({{"r1", 95}, {"r2", 5}});
  auto canary = registry_.find(local(9201));
  std::vector<Target*> tried{canary.get()};
  auto* fallback = pick_target(app, 1, tried, kPickNow);
  ASSERT_NE(fallback, nullptr);
  EXPECT_NE(fallback->address.port, 9201);
}

TEST_F(ReleasePick, NoFallbackToAReleaseAtWeightZero) {
  const auto& app = publish({{"r1", 0}, {"r2", 100}});
  auto canary = registry_.find(local(9201));
  std::vector<Target*> tried{canary.get()};
  EXPECT_EQ(pick_target(app, 1, tried, kPickNow), nullptr);
}

TEST_F(ReleasePick, WeightsDoNotTurnAffinityOn) {
  EXPECT_TRUE(publish({{"r1", 95}, {"r2", 5}}).affinity.enabled());
  EXPECT_FALSE(publish({{"r1", 95}, {"r2", 5}}, "r2", false).affinity.enabled());
}
}  // namespace baton::proxy
