// Blue-green keeps the release before as a warm standby for `standby_ttl`; after it, the standby's
// instances stop, it is retired, and a rollback starts it again like a deploy.
#include <fmt/format.h>

#include "deploy_fixture.hpp"

namespace baton::itest {
namespace {
bool running(pid_t pid) { return ::kill(pid, 0) == 0; }

std::string standby_of(const std::string& ls_json) {
  auto status = nlohmann::json::parse(ls_json, nullptr, false);
  if (!status.is_object()) return "?";
  for (const auto& service : status["services"])
    if (service["name"] == "web") return service["standby"].get<std::string>();
  return "?";
}

class Standby : public Deploys {};

TEST_F(Standby, StopsWhenItsTtlEndsAndARollbackThenStartsItAgain) {
  auto& baton = start_service(2, "blue-green", "10s", "standby_ttl = \"1s\"\n");
  auto old_pids = pids_of(cli({"ls", "--json"}).second, "r1");
  ASSERT_EQ(old_pids.size(), 2u);
  auto [code, out] = deploy("v1");
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("it stays warm as standby"), std::string::npos) << out;

  std::string status;
  ASSERT_TRUE(eventually([&] {
    status = cli({"ls", "--json"}).second;
    return pids_of(status, "r1").empty() && standby_of(status) == "";
  })) << status;
  for (pid_t pid : old_pids) EXPECT_TRUE(eventually([&] { return !running(pid); })) << pid;
  EXPECT_NE(baton.process().output(Stream::err).find("event=standby_stopped service=web release=r1"),
            std::string::npos);
  auto releases = cli({"releases", "web", "--json"}).second;
  EXPECT_NE(releases.find(R"("id":"r1")"), std::string::npos) << releases;
  auto list = nlohmann::json::parse(releases);
  for (const auto& release : list["releases"]) {
    if (release["id"] == "r1") EXPECT_EQ(release["status"], "retired") << releases;
  }
  EXPECT_EQ(pids_of(status, "r2").size(), 2u) << "the live release still runs";

  // No warm standby any more: the rollback starts r1's instances again before it switches.
  auto [rolled, rollback_out] = cli({"rollback", "web"});
  ASSERT_EQ(rolled, 0) << rollback_out;
  EXPECT_EQ(rollback_out.find("warm standby"), std::string::npos) << rollback_out;
  EXPECT_EQ(pids_of(cli({"ls", "--json"}).second, "r1").size(), 2u);
  Client client(baton.port());
  auto response = client.get("/name");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "v0");
}
}  // namespace
}  // namespace baton::itest
