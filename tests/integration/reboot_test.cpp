// A reboot, simulated: the daemon and every app process die by SIGKILL, the
// home's runtime files (socket, output pipes) are gone, and `baton daemon` starts
// with no argument but BATON_HOME. Every service comes back on the release that
// was live, at its instance count, with its history.
#include <fmt/ranges.h>

#include <csignal>
#include <memory>

#include "deploy_fixture.hpp"

namespace baton::itest {
namespace {
namespace fs = std::filesystem;

class Reboot : public Deploys {
 protected:
  std::set<pid_t> pids() { return pids_of(cli({"ls", "--json"}).second); }

  static std::uint16_t listening_port(Process& daemon) {
    std::uint16_t port = 0;
    constexpr std::string_view kMarker = "event=listening address=127.0.0.1:";
    daemon.wait_for_output(Stream::err, [&](std::string_view text) {
      auto at = text.find(kMarker);
      if (at == std::string_view::npos || text.find('\n', at) == std::string_view::npos) return false;
      port = static_cast<std::uint16_t>(std::stoi(std::string(text.substr(at + kMarker.size(), 5))));
      return true;
    });
    return port;
  }

  static std::string name_at(std::uint16_t port) {
    Client client(port);
    auto response = client.get("/name");
    return response ? response->body : "error: " + client.last_error();
  }

  static nlohmann::json parsed(const std::string& text) { return nlohmann::json::parse(text, nullptr, false); }

  // What `ls --json` says that must survive a reboot: which instances of which release, healthy or
  // not (pids, ports and uptimes are new after any reboot).
  static std::multiset<std::string> shape(const nlohmann::json& status) {
    std::multiset<std::string> out;
    if (!status.is_object()) return out;
    for (const auto& i : status["instances"])
      out.insert(fmt::format("{} {} #{} healthy={}", i["service"].get<std::string>(), i["release"].get<std::string>(),
                             i["instance"].dump(), i.value("healthy", false)));
    return out;
  }

  // SIGKILL to the daemon and every app, the runtime files gone, then `baton daemon` with no argument.
  std::unique_ptr<Process> reboot(Process& daemon, const std::string& name) {
    auto apps = pids();
    daemon.signal(SIGKILL);
    daemon.wait();
    for (pid_t pid : apps) ::kill(pid, SIGKILL);
    fs::remove_all(fs::path(home_) / "run");
    fs::remove(fs::path(home_) / "baton.sock");
    return std::make_unique<Process>(name, std::vector<std::string>{"/usr/bin/env", "BATON_HOME=" + home_,
                                                                    baton_binary(), "daemon"},
                                     dir_.path());
  }
};

TEST_F(Reboot, ServicesComeBackOnTheirLiveReleaseWithTheirInstancesAndHistory) {
  auto& first = start_service(2, "rolling");
  auto [code, out] = deploy("v1");
  ASSERT_EQ(code, 0) << out;
  auto scaled = cli({"scale", "web", "3"});
  ASSERT_EQ(scaled.first, 0) << scaled.second;
  ASSERT_TRUE(eventually([&] { return pids().size() == 3; }));
  auto releases_before = parsed(cli({"releases", "web", "--json"}).second);
  auto apps = pids();

  first.process().signal(SIGKILL);
  first.process().wait();
  for (pid_t pid : apps) ::kill(pid, SIGKILL);
  fs::remove_all(fs::path(home_) / "run");
  fs::remove(fs::path(home_) / "baton.sock");

  Process daemon("rebooted", {"/usr/bin/env", "BATON_HOME=" + home_, baton_binary(), "daemon"}, dir_.path());
  auto port = listening_port(daemon);
  ASSERT_NE(port, 0) << daemon.output(Stream::err);
  std::string ls;
  EXPECT_TRUE(eventually([&] {
    ls = cli({"ls", "--json"}).second;
    auto status = parsed(ls);
    if (!status.is_object()) return false;
    std::size_t healthy = 0;
    for (const auto& instance : status["instances"])
      if (instance["release"] == "r2" && instance.value("healthy", false)) ++healthy;
    return healthy == 3;
  })) << ls;
  EXPECT_EQ(name_at(port), "v1") << "the live release, not the config file's";
  EXPECT_TRUE(std::ranges::none_of(pids(), [&](pid_t p) { return apps.contains(p); }));
  auto releases_after = parsed(cli({"releases", "web", "--json"}).second);
  EXPECT_EQ(releases_after, releases_before);
  daemon.signal(SIGTERM);
  daemon.wait();
}
TEST_F(Reboot, FiveRebootsInARowLeaveTheStateAsItWas) {
  auto& first = start_service(2, "rolling");
  auto [code, out] = deploy("v1");
  ASSERT_EQ(code, 0) << out;
  ASSERT_EQ(cli({"scale", "web", "3"}).first, 0);
  std::multiset<std::string> before;
  ASSERT_TRUE(eventually([&] { return (before = shape(parsed(cli({"ls", "--json"}).second))).size() == 3; }));
  auto releases_before = parsed(cli({"releases", "web", "--json"}).second);
  std::unique_ptr<Process> daemon;
  for (int i = 1; i <= 5; ++i) {
    daemon = reboot(daemon ? *daemon : first.process(), "rebooted-" + std::to_string(i));
    auto port = listening_port(*daemon);
    ASSERT_NE(port, 0) << daemon->output(Stream::err);
    std::multiset<std::string> after;
    EXPECT_TRUE(eventually([&] { return (after = shape(parsed(cli({"ls", "--json"}).second))) == before; }))
        << "reboot " << i << ": " << fmt::format("{}", fmt::join(after, ", "));
    EXPECT_EQ(parsed(cli({"releases", "web", "--json"}).second), releases_before) << "reboot " << i;
    EXPECT_EQ(name_at(port), "v1") << "reboot " << i;
  }
  daemon->signal(SIGTERM);
  daemon->wait();
}
}  // namespace
}  // namespace baton::itest
