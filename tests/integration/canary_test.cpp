// Canary deploys of the real daemon under load: a release that fails a share of
// requests or is slower is taken out at its first step, a good one is promoted
// without a failed request, testers can force a side, the operator can promote
// or abort a paused canary, and a daemon killed mid-canary comes back on the
// live release.
#include <csignal>

#include "deploy_fixture.hpp"
#include "http_client.hpp"

namespace baton::itest {
namespace {
class Canary : public Deploys {
 protected:
  // The releases `baton releases web --json` lists, by version label.
  std::map<std::string, nlohmann::json> releases_by_version() {
    std::map<std::string, nlohmann::json> out;
    auto list = nlohmann::json::parse(cli({"releases", "web", "--json"}).second, nullptr, false);
    if (list.is_object())
      for (const auto& r : list["releases"]) out[r["version"].get<std::string>()] = r;
    return out;
  }

  std::uint64_t served_by(const nlohmann::json& summary, const std::string& version) {
    return summary["versions"].value(version, std::uint64_t{0});
  }

  // Only the canary's own failures reached clients, all of them its 500s, and it served no more
  // than its share of every request (the split is exact: no cookies, every request a new client).
  void expect_only_the_canary_failed(const nlohmann::json& summary, const std::string& canary, unsigned share) {
    auto failed = summary["failed"].get<std::uint64_t>();
    EXPECT_LE(failed, summary["statuses"].value("500", std::uint64_t{0})) << summary;
    EXPECT_LE(failed, served_by(summary, canary)) << summary;
    EXPECT_TRUE(summary["errors"].empty()) << summary;
    EXPECT_LE(served_by(summary, canary), summary["requests"].get<std::uint64_t>() * share / 100 + 2) << summary;
  }
};

constexpr std::string_view kCanaryKeys = "min_requests = 20\n";
// For tests about errors: a p99 ratio on a machine busy with other tests is not what they judge.
constexpr std::string_view kErrorsOnly = "min_requests = 20\np99_floor = \"10s\"\n";

TEST_F(Canary, AFivePercentErrorCanaryIsAbortedAtItsFirstStep) {
  auto& baton = start_service(2, "rolling", "10s", kErrorsOnly);
  auto live = pids_of(cli({"ls", "--json"}).second);
  auto& load = start_load(baton.port(), false);
  auto [code, out] = deploy("bad", {"--strategy", "canary", "--steps", "10,50", "--interval", "2s"},
                            {"--fail-percent", "5"});
  auto summary = stop_load(load);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("canary failed at 10%: error rate"), std::string::npos) << out;
  EXPECT_NE(out.find("weight 0"), std::string::npos) << out;
  EXPECT_EQ(pids_of(cli({"ls", "--json"}).second), live) << "the live release was never touched";
  EXPECT_EQ(releases_by_version()["bad"]["status"], "failed");
  expect_only_the_canary_failed(summary, "bad", 10);
  EXPECT_GT(served_by(summary, "bad"), 0u) << summary;
  std::printf("bad canary: %s\n", summary.dump().c_str());
}

TEST_F(Canary, ACanaryThreeTimesSlowerAtP99IsAborted) {
  auto& baton = start_service(2, "rolling", "10s", kCanaryKeys);
  auto& load = start_load(baton.port(), false);
  auto [code, out] = deploy("slow", {"--strategy", "canary", "--steps", "20", "--interval", "2s"},
                            {"--latency", "100"});
  auto summary = stop_load(load);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("canary failed at 20%: p99"), std::string::npos) << out;
  EXPECT_EQ(summary["failed"], 0u) << summary;
  EXPECT_EQ(releases_by_version()["slow"]["status"], "failed");
}

TEST_F(Canary, AGoodCanaryWalksItsStepsAndIsPromotedWithoutAFailedRequest) {
  auto& baton = start_service(2, "rolling", "10s", kErrorsOnly);
  auto& load = start_load(baton.port(), false);
  auto [code, out] = deploy("good", {"--strategy", "canary", "--steps", "10,50", "--interval", "1s"});
  auto summary = stop_load(load);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("step 2/2: 50% of new clients"), std::string::npos) << out;
  EXPECT_NE(out.find("traffic switched to"), std::string::npos) << out;
  expect_no_failure(summary);
  auto releases = releases_by_version();
  EXPECT_EQ(releases["good"]["status"], "live");
  EXPECT_EQ(releases["config"]["status"], "retired");
  Client client(baton.port());
  auto name = client.get("/name");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->body, "good");
}

TEST_F(Canary, TestersForceASideAndTheOperatorAbortsAPausedCanary) {
  auto& baton = start_service(2, "rolling", "10s", kErrorsOnly);
  Process deploying("canary-deploy",
                    {baton_binary(), "deploy", "web", "--home", home_, "--version", "next", "--strategy", "canary",
                     "--steps", "10,50", "--interval", "1s", "--pause-at", "10", "--", *backend_binary(), "--listen",
                     "127.0.0.1:{port}", "--name", "next"},
                    dir_.path());
  Client client(baton.port());
  EXPECT_TRUE(eventually([&] {
    auto forced = client.get("/name", "X-Baton-Canary: always\r\n");
    return forced && forced->body == "next";
  })) << "the canary never answered a forced request";
  for (int i = 0; i < 20; ++i) {
    auto never = client.get("/name", "X-Baton-Canary: never\r\n");
    ASSERT_TRUE(never) << client.last_error();
    EXPECT_EQ(never->body, "v0");
  }
  auto unknown = cli({"promote", "nothing"});
  EXPECT_NE(unknown.first, 0);
  EXPECT_NE(unknown.second.find("no service named 'nothing'"), std::string::npos) << unknown.second;
  auto [code, out] = cli({"abort", "web"});
  EXPECT_EQ(code, 0) << out;
  auto ended = deploying.wait();
  EXPECT_EQ(ended, 1) << deploying.output(Stream::out) << deploying.output(Stream::err);
  EXPECT_NE(deploying.output(Stream::out).find("aborted by the operator at 10%"), std::string::npos)
      << deploying.output(Stream::out) << deploying.output(Stream::err);
  auto after = cli({"abort", "web"});
  EXPECT_EQ(after.first, 1);
  EXPECT_NE(after.second.find("nothing to abort: no deploy of web is running"), std::string::npos) << after.second;
  auto forced = client.get("/name", "X-Baton-Canary: always\r\n");
  ASSERT_TRUE(forced);
  EXPECT_EQ(forced->body, "v0") << "the aborted canary is gone";
}

TEST_F(Canary, TheOperatorPromotesAPausedCanary) {
  start_service(2, "rolling", "10s", kErrorsOnly);
  Process deploying("canary-deploy",
                    {baton_binary(), "deploy", "web", "--home", home_, "--version", "next", "--strategy", "canary",
                     "--steps", "25", "--interval", "1s", "--pause-at", "25", "--", *backend_binary(), "--listen",
                     "127.0.0.1:{port}", "--name", "next"},
                    dir_.path());
  std::pair<int, std::string> promoted;
  EXPECT_TRUE(eventually([&] {
    promoted = cli({"promote", "web"});
    return promoted.first == 0;
  })) << promoted.second;
  EXPECT_EQ(deploying.wait(), 0) << deploying.output(Stream::out) << deploying.output(Stream::err);
  EXPECT_NE(deploying.output(Stream::out).find("promoted by the operator"), std::string::npos)
      << deploying.output(Stream::out);
  EXPECT_EQ(releases_by_version()["next"]["status"], "live");
}

TEST_F(Canary, ARollingDeployCannotBePromoted) {
  start_service(1, "rolling");
  Process deploying("slow-deploy",
                    {baton_binary(), "deploy", "web", "--home", home_, "--version", "slow", "--", *backend_binary(),
                     "--listen", "127.0.0.1:{port}", "--name", "slow", "--startup-delay", "1500"},
                    dir_.path());
  std::pair<int, std::string> refused;
  EXPECT_TRUE(eventually([&] {
    refused = cli({"promote", "web"});
    return refused.second.find("not a canary") != std::string::npos;
  })) << refused.second;
  EXPECT_EQ(refused.first, 1);
  EXPECT_EQ(deploying.wait(), 0);
}

TEST_F(Canary, BadCanarySettingsAreRefusedAndChangeNothing) {
  start_service(1, "rolling");
  auto before = cli({"releases", "web", "--json"}).second;
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--strategy", "canary", "--steps", "50,25"}, "steps must increase"},
      {{"--strategy", "canary", "--steps", "5,150"}, "not a share from 1 to 99"},
      {{"--strategy", "canary", "--interval", "soon"}, "interval must be a duration"},
      {{"--strategy", "canary", "--pause-at", "30"}, "pause_at 30 is not one of the steps"},
      {{"--steps", "5,25"}, "are a canary's"},
  };
  for (const auto& [flags, message] : cases) {
    auto [code, out] = deploy("never", flags);
    EXPECT_NE(code, 0) << out;
    EXPECT_NE(out.find(message), std::string::npos) << out;
  }
  EXPECT_EQ(cli({"releases", "web", "--json"}).second, before);
}

TEST_F(Canary, AWatchCatchesAReleaseThatStartsFailingAfterItsSwitchAndTheStandbyTakesOver) {
  auto& baton = start_service(2, "blue-green", "10s", kErrorsOnly);
  auto standby = pids_of(cli({"ls", "--json"}).second);
  auto& load = start_load(baton.port(), false);
  auto [code, out] = deploy("late", {"--watch", "8s"}, {"--fail-percent", "20", "--misbehave-after", "2500"});
  auto summary = stop_load(load);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("the watch failed: error rate"), std::string::npos) << out;
  auto releases = releases_by_version();
  EXPECT_EQ(releases["late"]["status"], "failed");
  EXPECT_EQ(releases["config"]["status"], "live");
  EXPECT_EQ(pids_of(cli({"ls", "--json"}).second), standby) << "the warm standby took over, nothing restarted";
  EXPECT_TRUE(summary["errors"].empty()) << summary;
  EXPECT_LE(summary["failed"].get<std::uint64_t>(), summary["statuses"].value("500", std::uint64_t{0})) << summary;
  Client client(baton.port());
  auto name = client.get("/name");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->body, "v0");
  std::printf("late failure under watch: %s\n", summary.dump().c_str());
}

TEST_F(Canary, ADaemonKilledMidCanaryComesBackOnTheLiveReleaseWithTheCanaryStopped) {
  auto& baton = start_service(2, "rolling", "10s", kErrorsOnly);
  auto live = pids_of(cli({"ls", "--json"}).second);
  Process deploying("canary-deploy",
                    {baton_binary(), "deploy", "web", "--home", home_, "--version", "next", "--strategy", "canary",
                     "--steps", "10", "--interval", "60s", "--", *backend_binary(), "--listen", "127.0.0.1:{port}",
                     "--name", "next"},
                    dir_.path());
  Client client(baton.port());
  EXPECT_TRUE(eventually([&] {
    auto forced = client.get("/name", "X-Baton-Canary: always\r\n");
    return forced && forced->body == "next";
  }));
  auto canary_pids = pids_of(cli({"ls", "--json"}).second);
  for (auto pid : live) canary_pids.erase(pid);
  ASSERT_FALSE(canary_pids.empty());
  baton.process().signal(SIGKILL);
  baton.process().wait();
  deploying.wait();
  restart_service();
  auto ls = cli({"ls", "--json"}).second;
  EXPECT_EQ(pids_of(ls), live) << ls;
  EXPECT_EQ(releases_by_version()["next"]["status"], "failed");
  for (auto pid : canary_pids)
    EXPECT_TRUE(eventually([&] { return ::kill(pid, 0) != 0; })) << "canary instance " << pid << " still runs";
}
}  // namespace
}  // namespace baton::itest
