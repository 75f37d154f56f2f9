// State that survives the daemon: a killed daemon's successor adopts the running
// instances instead of starting duplicates, keeps the release history, and ends a
// deploy it interrupted by going back to the release that was live before it.
#include <fmt/format.h>

#include <csignal>

#include "deploy_fixture.hpp"

namespace baton::itest {
namespace {
class Restarts : public Deploys {
 protected:
  std::set<pid_t> pids(const std::string& release = "") { return pids_of(cli({"ls", "--json"}).second, release); }

  static void kill_daemon(Baton& baton) {
    baton.process().signal(SIGKILL);
    baton.process().wait();
  }

  static bool alive(pid_t pid) { return ::kill(pid, 0) == 0; }

  static std::string name_at(std::uint16_t port) {
    Client client(port);
    auto response = client.get("/name");
    return response ? response->body : "error: " + client.last_error();
  }
};

TEST_F(Restarts, AKilledDaemonsSuccessorAdoptsTheRunningInstances) {
  auto& first = start_service(2, "rolling");
  auto before = pids();
  ASSERT_EQ(before.size(), 2u);
  kill_daemon(first);
  for (pid_t pid : before) EXPECT_TRUE(alive(pid)) << "instance " << pid << " died with the daemon";
  auto& second = restart_service();
  EXPECT_TRUE(eventually([&] { return pids() == before; })) << "adopted, not started again";
  EXPECT_NE(second.process().output(Stream::err).find("event=instance_adopted"), std::string::npos);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(name_at(second.port()), "v0");
  EXPECT_EQ(pids(), before) << "nothing was duplicated or restarted";
}

TEST_F(Restarts, AnInstanceThatDiedMeanwhileIsStartedAgainOnce) {
  auto& first = start_service(2, "rolling");
  auto before = pids();
  ASSERT_EQ(before.size(), 2u);
  kill_daemon(first);
  pid_t dead = *before.begin();
  ::kill(dead, SIGKILL);
  ASSERT_TRUE(eventually([&] { return !alive(dead); }));
  auto& second = restart_service();
  std::set<pid_t> now;
  ASSERT_TRUE(eventually([&] {
    now = pids();
    return now.size() == 2 && !now.contains(dead);
  })) << "two instances again";
  EXPECT_TRUE(now.contains(*before.rbegin())) << "the live one was adopted";
  EXPECT_EQ(name_at(second.port()), "v0");
}

TEST_F(Restarts, ReleasesAndTheLiveReleaseSurviveARestart) {
  auto& first = start_service(1, "rolling");
  auto [code, out] = deploy("v1");
  ASSERT_EQ(code, 0) << out;
  first.process().signal(SIGTERM);
  first.process().wait();
  auto& second = restart_service();
  EXPECT_EQ(name_at(second.port()), "v1") << "the deployed release comes back, not the config's";
  auto releases = cli({"releases", "web", "--json"});
  ASSERT_EQ(releases.first, 0) << releases.second;
  auto list = nlohmann::json::parse(releases.second);
  ASSERT_EQ(list["releases"].size(), 2u) << list;
  EXPECT_EQ(list["releases"][0]["status"], "retired") << list;
  EXPECT_EQ(list["releases"][1]["status"], "live") << list;
  EXPECT_EQ(list["releases"][1]["version"], "v1") << list;
  auto rollback = cli({"rollback", "web"});
  ASSERT_EQ(rollback.first, 0) << rollback.second;
  EXPECT_EQ(name_at(second.port()), "v0") << "a release from before the restart can be rolled back to";
  auto [next, next_out] = deploy("v2");
  ASSERT_EQ(next, 0) << next_out;
  auto after = nlohmann::json::parse(cli({"releases", "web", "--json"}).second);
  ASSERT_EQ(after["releases"].size(), 3u) << after;
  EXPECT_EQ(after["releases"][2]["id"], "r3") << "ids continue after the restart: " << after;
}

TEST_F(Restarts, ADaemonKilledMidDeployComesBackOnTheReleaseLiveBeforeIt) {
  auto& first = start_service(1, "rolling", "60s");
  auto old_pids = pids("r1");
  ASSERT_EQ(old_pids.size(), 1u);
  auto [code, out] = deploy("v1", {"--detach"}, {"--startup-delay", "60000"});
  ASSERT_EQ(code, 0) << out;
  std::set<pid_t> new_pids;
  ASSERT_TRUE(eventually([&] { return !(new_pids = pids("r2")).empty(); })) << "the new release started";
  kill_daemon(first);
  auto& second = restart_service();
  for (pid_t pid : new_pids)
    EXPECT_TRUE(eventually([&] { return !alive(pid); })) << "the interrupted release's instance " << pid << " runs";
  EXPECT_EQ(pids("r1"), old_pids) << "the live release was adopted";
  EXPECT_TRUE(pids("r2").empty());
  EXPECT_EQ(name_at(second.port()), "v0");
  auto releases = cli({"releases", "web", "--json"});
  auto list = nlohmann::json::parse(releases.second);
  ASSERT_EQ(list["releases"].size(), 2u) << list;
  EXPECT_EQ(list["releases"][1]["status"], "failed") << list;
  EXPECT_NE(list["releases"][1]["reason"].get<std::string>().find("interrupted"), std::string::npos) << list;
  EXPECT_NE(second.process().output(Stream::err).find("event=deploy_interrupted"), std::string::npos);
  auto [next, next_out] = deploy("v2");
  ASSERT_EQ(next, 0) << "the interrupted deploy no longer holds the lock: " << next_out;
  EXPECT_EQ(name_at(second.port()), "v2");
}
}  // namespace
}  // namespace baton::itest
