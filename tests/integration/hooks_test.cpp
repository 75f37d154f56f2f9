// Deploy hooks run as real processes: pre_deploy before any new instance, smoke against the new
// instances before they take traffic, post_deploy at the end, each with the release's cwd and env.
// A failing or hung hook ends the deploy and the live release keeps serving.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "deploy_fixture.hpp"

namespace baton::itest {
namespace {
namespace fs = std::filesystem;

// Each hook appends its name to `order`, writes what it got to NAME.env and one line of output,
// then exits with its second argument.
constexpr std::string_view kHookScript = R"sh(echo "$1" >> order
{
  echo "service=$BATON_SERVICE"
  echo "release=$BATON_RELEASE"
  echo "version=$BATON_VERSION"
  echo "targets=${BATON_TARGETS-unset}"
  echo "mark=$MARK"
  echo "cwd=$(pwd -P)"
} > "$1.env"
echo "$1 says hello"
exit "$2"
)sh";

// A hook that never ends: its shell and a child in its process group write their pids, then wait.
constexpr std::string_view kHungScript = R"sh(echo $$ > hung.pid
sleep 600 &
echo $! > child.pid
echo "hung hook waiting"
wait
)sh";

std::map<std::string, std::string> read_env(const fs::path& path) {
  std::map<std::string, std::string> out;
  std::istringstream in(read_text(path));
  for (std::string line; std::getline(in, line);)
    if (auto eq = line.find('='); eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  return out;
}

// Running and not a zombie (an orphan may wait to be reaped by an init that does not).
bool alive(pid_t pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  auto stat = read_text(fmt::format("/proc/{}/stat", pid));
  auto paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] != 'Z';
}

pid_t read_pid(const fs::path& path) {
  auto text = read_text(path);
  return text.empty() ? 0 : static_cast<pid_t>(std::stol(text));
}

class Hooks : public Deploys {
 protected:
  void SetUp() override {
    Deploys::SetUp();
    app_ = dir_.path() / "app";
    fs::create_directories(app_);
    std::ofstream(dir_.path() / "hook.sh") << kHookScript;
    std::ofstream(dir_.path() / "hung.sh") << kHungScript;
  }

  // Service keys: the app's cwd and env, and the three hooks with the exit status each returns.
  std::string hook_keys(int pre, int smoke, int post, std::string_view more = "") const {
    auto hook = [&](std::string_view name, int code) {
      return fmt::format("{} = [\"/bin/sh\", \"{}\", \"{}\", \"{}\"]\n", name, (dir_.path() / "hook.sh").string(),
                         name, code);
    };
    return fmt::format("cwd = \"{}\"\nenv = {{ MARK = \"m1\" }}\n{}{}{}{}", app_.string(), hook("pre_deploy", pre),
                       hook("smoke", smoke), hook("post_deploy", post), more);
  }

  std::string order() const { return read_text(app_ / "order"); }
  std::map<std::string, std::string> env_of(std::string_view hook) const {
    return read_env(app_ / (std::string(hook) + ".env"));
  }
  std::string deploy_log() const { return read_text(fs::path(home_) / "logs" / "web.deploy.log"); }
  std::string name_at(std::uint16_t port) {
    Client client(port);
    auto response = client.get("/name");
    return response && response->status == 200 ? response->body : "";
  }
  // The ports `baton ls` reports for a release of web.
  std::vector<std::uint16_t> ports_of(const std::string& release) {
    std::vector<std::uint16_t> ports;
    auto status = nlohmann::json::parse(cli({"ls", "--json"}).second, nullptr, false);
    if (!status.is_object()) return ports;
    for (const auto& instance : status["instances"])
      if (instance["release"] == release) ports.push_back(instance["port"].get<std::uint16_t>());
    return ports;
  }
  std::string release_status(const std::string& id) {
    auto list = nlohmann::json::parse(cli({"releases", "web", "--json"}).second, nullptr, false);
    if (!list.is_object()) return "";
    for (const auto& release : list["releases"])
      if (release["id"] == id) return release["status"].get<std::string>();
    return "";
  }

  fs::path app_;
};

TEST_F(Hooks, RunAsRealProcessesInOrderWithTheReleasesCwdAndEnv) {
  auto& baton = start_service(1, "rolling", "10s", hook_keys(0, 0, 0));
  EXPECT_FALSE(fs::exists(app_ / "order")) << "starting the config's release runs no hook";
  auto [code, out] = deploy("v1");
  ASSERT_EQ(code, 0) << out;
  EXPECT_EQ(order(), "pre_deploy\nsmoke\npost_deploy\n");
  for (std::string_view hook : {"pre_deploy", "smoke", "post_deploy"}) {
    auto env = env_of(hook);
    EXPECT_EQ(env["service"], "web") << hook;
    EXPECT_EQ(env["release"], "r2") << hook;
    EXPECT_EQ(env["version"], "v1") << hook;
    EXPECT_EQ(env["mark"], "m1") << hook;
    EXPECT_EQ(env["cwd"], fs::canonical(app_).string()) << hook;
    EXPECT_NE(out.find(fmt::format("{} hook: exited with 0", hook)), std::string::npos) << out;
    EXPECT_NE(deploy_log().find(fmt::format("{} says hello", hook)), std::string::npos) << deploy_log();
  }
  // Only the smoke hook is told where the new instances are: their private addresses.
  EXPECT_EQ(env_of("pre_deploy")["targets"], "unset");
  EXPECT_EQ(env_of("post_deploy")["targets"], "unset");
  auto ports = ports_of("r2");
  ASSERT_EQ(ports.size(), 1u);
  EXPECT_EQ(env_of("smoke")["targets"], fmt::format("127.0.0.1:{}", ports[0]));
  EXPECT_EQ(name_at(baton.port()), "v1");
}

TEST_F(Hooks, AFailingPreDeployHookEndsTheDeployBeforeAnyInstanceStarts) {
  auto& baton = start_service(1, "rolling", "10s", hook_keys(3, 0, 0));
  auto& load = start_load(baton.port());
  auto [code, out] = deploy("v1");
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("the pre_deploy hook failed: exited with 3"), std::string::npos) << out;
  EXPECT_NE(out.find("pre_deploy says hello"), std::string::npos) << "the hook's output is shown\n" << out;
  EXPECT_EQ(order(), "pre_deploy\n");
  EXPECT_TRUE(ports_of("r2").empty()) << "no instance of the new release started";
  EXPECT_EQ(release_status("r2"), "failed");
  EXPECT_EQ(release_status("r1"), "live");
  auto summary = stop_load(load);
  expect_no_failure(summary);
  EXPECT_FALSE(summary["versions"].contains("v1")) << summary;
  EXPECT_EQ(name_at(baton.port()), "v0");
}

TEST_F(Hooks, AFailingSmokeHookStopsTheNewInstancesBeforeTheyTakeTraffic) {
  auto& baton = start_service(2, "blue-green", "10s", hook_keys(0, 1, 0));
  auto& load = start_load(baton.port());
  auto [code, out] = deploy("v1");
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("the smoke hook failed: exited with 1"), std::string::npos) << out;
  EXPECT_EQ(order(), "pre_deploy\nsmoke\n") << "post_deploy never runs after a failure";
  // The smoke hook saw both new instances; once the deploy failed, neither accepts connections.
  auto targets = env_of("smoke")["targets"];
  ASSERT_NE(targets.find(','), std::string::npos) << targets;
  for (auto address : {targets.substr(0, targets.find(',')), targets.substr(targets.find(',') + 1)}) {
    auto port = static_cast<std::uint16_t>(std::stoi(address.substr(address.find(':') + 1)));
    EXPECT_TRUE(eventually([&] { return !Client(port).connected(); })) << address;
  }
  EXPECT_TRUE(ports_of("r2").empty());
  EXPECT_EQ(release_status("r2"), "failed");
  auto summary = stop_load(load);
  expect_no_failure(summary);
  EXPECT_FALSE(summary["versions"].contains("v1")) << summary;
  EXPECT_EQ(name_at(baton.port()), "v0");
}

TEST_F(Hooks, AFailingPostDeployHookIsReportedAndTheDeployStands) {
  auto& baton = start_service(1, "rolling", "10s", hook_keys(0, 0, 4));
  auto [code, out] = deploy("v1");
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("the post_deploy hook failed: exited with 4"), std::string::npos) << out;
  EXPECT_EQ(release_status("r2"), "live");
  EXPECT_EQ(name_at(baton.port()), "v1");
}

TEST_F(Hooks, AHungHookIsKilledWithItsProcessGroupAtHookTimeout) {
  auto hung = fmt::format("pre_deploy = [\"/bin/sh\", \"{}\"]\nhook_timeout = \"1s\"\ncwd = \"{}\"\n",
                          (dir_.path() / "hung.sh").string(), app_.string());
  auto& baton = start_service(1, "rolling", "10s", hung);
  auto [code, out] = deploy("v1");
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("the pre_deploy hook failed: timed out after 1000 ms"), std::string::npos) << out;
  auto shell = read_pid(app_ / "hung.pid");
  auto child = read_pid(app_ / "child.pid");
  ASSERT_GT(shell, 0);
  ASSERT_GT(child, 0);
  EXPECT_TRUE(eventually([&] { return !alive(shell); })) << "the hook " << shell << " still runs";
  EXPECT_TRUE(eventually([&] { return !alive(child); })) << "the hook's child " << child << " still runs";
  EXPECT_TRUE(ports_of("r2").empty());
  EXPECT_EQ(release_status("r2"), "failed");
  EXPECT_EQ(name_at(baton.port()), "v0");
}
}  // namespace
}  // namespace baton::itest
