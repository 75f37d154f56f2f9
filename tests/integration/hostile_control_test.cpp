// The control plane driven the way a bad day drives it: deploys of releases that
// crash, never get healthy, start slowly or die after a while, rollbacks, scales,
// restarts, pauses, concurrent commands, in a random (seeded) order, under load.
// The daemon never dies, the data plane always answers, and `baton ls` is right.
#include <csignal>
#include <random>

#include "deploy_fixture.hpp"

namespace baton::itest {
namespace {
class HostileControl : public Deploys {
 protected:
  // One random operation; what it printed, for the failure message.
  std::string act(std::mt19937& random, int step) {
    auto version = "h" + std::to_string(step);
    switch (random() % 9) {
      case 0: return deploy(version).second;
      case 1: return deploy(version, {}, {"--exit-immediately"}).second;
      case 2: return deploy(version, {}, {"--unhealthy"}).second;
      case 3: return deploy(version, {}, {"--exit-after", "700"}).second;
      case 4: {  // two commands at once: the second must be refused with a clear error
        auto started = deploy(version, {"--detach"}, {"--startup-delay", "300"}).second;
        return started + cli({"rollback", "web"}).second;
      }
      case 5: return cli({"rollback", "web"}).second;
      case 6: return cli({"scale", "web", std::to_string(1 + random() % 3)}).second;
      case 7: return cli({"restart", "web"}).second;
      default: {
        auto paused = cli({"pause", "web"}).second;  // in this order: operands of + are unsequenced
        return paused + cli({"resume", "web"}).second;
      }
    }
  }

  // ls --json parses and shows the live release with instances; false otherwise.
  bool ls_tells_the_truth(std::string& ls) {
    auto [code, out] = cli({"ls", "--json"});
    ls = out;
    auto status = nlohmann::json::parse(out, nullptr, false);
    return code == 0 && status.is_object() && status.contains("instances") && !status["instances"].empty();
  }
};

TEST_F(HostileControl, TheDaemonSurvivesARandomBadDayAndKeepsServing) {
  auto& baton = start_service(2, "rolling", "3s");
  auto& load = start_load(baton.port());
  std::mt19937 random(20261207);
  for (int step = 0; step < 14; ++step) {
    auto out = act(random, step);
    ASSERT_FALSE(baton.process().wait(std::chrono::milliseconds(0))) << "the daemon died at step " << step << ": "
                                                                     << out;
    std::string ls;
    EXPECT_TRUE(eventually([&] { return ls_tells_the_truth(ls); })) << "step " << step << ": " << ls;
    // A detached deploy runs on: the next step starts once it ended, or it would only be refused.
    std::string releases;
    EXPECT_TRUE(eventually([&] {
      releases = cli({"releases", "web", "--json"}).second;
      return releases.find("\"status\":\"deploying\"") == std::string::npos;
    })) << releases;
  }
  // Whatever ran last settles: no deploy left running, the live release healthy and serving.
  std::string ls;
  EXPECT_TRUE(eventually([&] {
    ls = cli({"ls", "--json"}).second;
    return ls.find("\"healthy\":true") != std::string::npos;
  })) << ls;
  Client client(baton.port());
  auto response = client.get("/hello");
  ASSERT_TRUE(response) << client.last_error() << "\n" << ls << "\n" << cli({"releases", "web", "--json"}).second;
  EXPECT_EQ(response->status, 200u);
  auto summary = stop_load(load);
  EXPECT_GT(summary["ok"].get<std::uint64_t>(), 0u) << summary;
  EXPECT_FALSE(summary["errors"].contains("connect_refused")) << summary;
  std::printf("hostile control: %s\n", summary.dump().c_str());
}
}  // namespace
}  // namespace baton::itest
