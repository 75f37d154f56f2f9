// `baton describe NAME`: a killed instance's exit (status, uptime, reason), the health changes of
// its slot, the spec and releases, and secrets shown only as "***", in the text and the JSON.
#include <fmt/format.h>

#include <csignal>
#include <fstream>

#include "deploy_fixture.hpp"
#include "http_client.hpp"

namespace baton::itest {
namespace {
constexpr std::string_view kDescribedSecret = "describe-secret-5c2e91";

class Describe : public Deploys {
 protected:
  nlohmann::json described() { return nlohmann::json::parse(cli({"describe", "web", "--json"}).second, nullptr, false); }

  static nlohmann::json slot(const nlohmann::json& answer, unsigned index) {
    if (!answer.is_object()) return nlohmann::json::object();
    for (const auto& instance : answer["instances"])
      if (instance.value("instance", 99u) == index) return instance;
    return nlohmann::json::object();
  }
};

TEST_F(Describe, ShowsAKilledInstancesExitItsHealthChangesAndNoSecret) {
  auto secrets = dir_.path() / "describe-secrets.env";
  std::ofstream(secrets) << "DESCRIBED_TOKEN=" << kDescribedSecret << "\n";
  std::filesystem::permissions(secrets, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  start_service(2, "rolling", "10s",
                fmt::format("env = {{ MODE = \"plain\" }}\nsecret_env_file = [\"{}\"]\n", secrets.string()));
  auto& baton = *batons_.back();
  {
    // 5xx answers count as the answering instance's errors.
    Client client(baton.port());
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(client.get("/status/503")) << client.last_error();
  }
  nlohmann::json before;
  ASSERT_TRUE(eventually([&] {
    before = described();
    return slot(before, 0).value("healthy", false) && slot(before, 1).value("healthy", false);
  })) << before;
  EXPECT_EQ(slot(before, 0).value("errors", 0u) + slot(before, 1).value("errors", 0u), 4u) << before;
  ASSERT_TRUE(before.is_object()) << cli({"describe", "web", "--json"}).second;
  pid_t victim = slot(before, 0).value("pid", 0);
  ASSERT_GT(victim, 0) << before;
  ::kill(victim, SIGKILL);

  nlohmann::json after;
  ASSERT_TRUE(eventually([&] {
    after = described();
    auto instance = slot(after, 0);
    return instance.value("healthy", false) && instance.value("pid", 0) != victim &&
           instance.value("exits", nlohmann::json::array()).size() == 1;
  })) << after;
  auto instance = slot(after, 0);
  const auto& exit = instance["exits"][0];
  EXPECT_EQ(exit["status"], "killed by SIGKILL") << exit;
  EXPECT_EQ(exit["reason"], "exit") << exit;
  EXPECT_GT(exit["time_ms"].get<std::int64_t>(), 0);
  EXPECT_GE(exit["uptime_ms"].get<std::int64_t>(), 0);
  EXPECT_EQ(instance["restarts"], 1);
  // Healthy before the kill and again after the restart: both kept by the slot.
  auto health = instance["health_history"];
  ASSERT_GE(health.size(), 2u) << instance;
  EXPECT_TRUE(health.back()["healthy"].get<bool>()) << health;
  EXPECT_TRUE(slot(after, 1)["exits"].empty()) << "the other instance never exited";

  EXPECT_EQ(after["env"]["DESCRIBED_TOKEN"], "***") << after["env"];
  EXPECT_EQ(after["env"]["MODE"], "plain") << after["env"];
  EXPECT_EQ(after["live"], "r1");
  ASSERT_EQ(after["releases"].size(), 1u) << after["releases"];
  EXPECT_TRUE(after["releases"][0]["live"].get<bool>());
  EXPECT_EQ(after["spec"]["health"]["path"], "/health") << after["spec"];
  EXPECT_EQ(after["spec"]["stop_timeout_ms"], 5000) << after["spec"];
  EXPECT_EQ(after["spec"]["restart"]["autorestart"], "always") << after["spec"];
  EXPECT_TRUE(after["deploy"].is_null());

  auto [code, text] = cli({"describe", "web"});
  ASSERT_EQ(code, 0) << text;
  EXPECT_NE(text.find("killed by SIGKILL after"), std::string::npos) << text;
  EXPECT_NE(text.find("(reason: exit)"), std::string::npos) << text;
  EXPECT_NE(text.find("health changes:"), std::string::npos) << text;
  EXPECT_NE(text.find("DESCRIBED_TOKEN=***"), std::string::npos) << text;
  EXPECT_NE(text.find("deploy in progress: none"), std::string::npos) << text;
  auto json_text = cli({"describe", "web", "--json"}).second;
  EXPECT_EQ(text.find(kDescribedSecret), std::string::npos) << "the secret in clear in: " << text;
  EXPECT_EQ(json_text.find(kDescribedSecret), std::string::npos) << "the secret in clear in: " << json_text;
}

TEST_F(Describe, AnUnknownServiceIsAClearErrorWithTheExitCodeOfLs) {
  start_service(1, "rolling");
  auto [code, out] = cli({"describe", "nosuch"});
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("no service named 'nosuch'"), std::string::npos) << out;
  EXPECT_EQ(cli({"ls", "nosuch"}).first, code);
}
}  // namespace
}  // namespace baton::itest
