#include "proxy/worker_traffic.hpp"

#include <gtest/gtest.h>

#include "config/loader.hpp"

namespace baton::proxy {
namespace {
Address loopback_target(std::uint16_t port) { return Address{Address::Kind::tcp, "127.0.0.1", port, {}}; }

class WorkerTrafficTest : public ::testing::Test {
 protected:
  WorkerTrafficTest() {
    auto parsed = parse_config("[services.web]\nlisten = \"127.0.0.1:8080\"\ntargets = [\"127.0.0.1:9001\"]\n", "t.toml");
    EXPECT_TRUE(parsed) << parsed.error();
    config_ = *parsed;
  }
  // A table whose `web` runs these targets of release r2.
  std::shared_ptr<RouteTable> table(std::vector<std::uint16_t> ports) {
    RuntimeRoutes runtime;
    for (auto port : ports) runtime["web"].targets.push_back({loopback_target(port), "r2"});
    return build_route_table(config_, registry_, runtime);
  }
  static const Service& web(const RouteTable& t) { return *t.services.at(0); }
  static Target* target(const RouteTable& t, std::size_t i) { return web(t).targets.targets().at(i).get(); }
  metrics::TrafficByLabels read() const {
    metrics::TrafficByLabels out;
    traffic_.read(out);
    return out;
  }

  Config config_;
  TargetRegistry registry_;
  WorkerTraffic traffic_;
};

TEST_F(WorkerTrafficTest, OneBlockPerServiceAndTargetLabelledWithItsRelease) {
  auto t = table({9101, 9102});
  traffic_.block(&web(*t), target(*t, 0)).counters.count_response(200);
  traffic_.block(&web(*t), target(*t, 0)).counters.count_response(200);
  traffic_.block(&web(*t), target(*t, 1)).counters.count_response(502);
  traffic_.block(&web(*t), nullptr).counters.count_response(503);
  traffic_.block(nullptr, nullptr).counters.count_response(404);
  auto all = read();
  EXPECT_EQ(traffic_.block_count(), 4u);
  EXPECT_EQ((all[{"web", "r2", "127.0.0.1:9101"}].requests()), 2u);
  EXPECT_EQ((all[{"web", "r2", "127.0.0.1:9102"}].responses_of(metrics::StatusClass::server_error)), 1u);
  EXPECT_EQ((all[{"web", "", ""}].requests()), 1u);
  EXPECT_EQ((all[{"", "", ""}].responses_of(metrics::StatusClass::client_error)), 1u);
}

TEST_F(WorkerTrafficTest, ATargetThatLeftFoldsIntoItsReleaseSoTheSumNeverDrops) {
  auto before = table({9101, 9102});
  traffic_.block(&web(*before), target(*before, 0)).counters.count_response(200);
  traffic_.block(&web(*before), target(*before, 1)).counters.count_response(200);
  auto after = table({9101});
  traffic_.retire_absent(*after);
  auto all = read();
  EXPECT_EQ(all.count({"web", "r2", "127.0.0.1:9102"}), 0u);
  EXPECT_EQ((all[{"web", "r2", ""}].requests()), 1u);
  EXPECT_EQ(metrics::by_release(all, "web")["r2"].requests(), 2u);
}

TEST_F(WorkerTrafficTest, ATargetWithAnOpenExchangeStaysUntilItEnds) {
  auto before = table({9101, 9102});
  auto& leaving = traffic_.block(&web(*before), target(*before, 1));
  auto after = table({9101});
  {
    OpenExchange open(leaving);
    traffic_.retire_absent(*after);
    EXPECT_TRUE(traffic_.retire_pending());
    leaving.counters.count_response(200);  // the exchange ends on the target it started on
  }
  EXPECT_EQ((read()[{"web", "r2", "127.0.0.1:9102"}].requests()), 1u);
  traffic_.retire_absent(*after);
  EXPECT_FALSE(traffic_.retire_pending());
  auto all = read();
  EXPECT_EQ(all.count({"web", "r2", "127.0.0.1:9102"}), 0u);
  EXPECT_EQ((all[{"web", "r2", ""}].requests()), 1u);
}
}  // namespace
}  // namespace baton::proxy
