// `baton keeper`: the listening sockets outlive the daemon. Under load, the daemon
// is killed with SIGKILL again and again; no connection is refused, the only
// requests that fail are the ones it held, and the apps are adopted, never restarted.
#include <csignal>
#include <fstream>

#include "deploy_fixture.hpp"

namespace baton::itest {
namespace {
constexpr std::string_view kDaemonStarted = "[keeper] event=daemon_started pid=";
constexpr std::string_view kListening = "event=listening address=127.0.0.1:";

class Keeper : public Deploys {
 protected:
  void TearDown() override {
    if (keeper_ && !keeper_->wait(std::chrono::milliseconds(0))) {
      keeper_->signal(SIGTERM);
      keeper_->wait();
    }
    Deploys::TearDown();
  }

  void start_keeper(unsigned instances) {
    home_ = (dir_.path() / "home").string();
    auto config = dir_.path() / "keeper.toml";
    std::ofstream(config) << fmt::format(
        "[services.web]\nlisten = \"127.0.0.1:0\"\n"
        "command = [\"{}\", \"--listen\", \"127.0.0.1:{{port}}\", \"--name\", \"v0\"]\n"
        "instances = {}\nhealth = \"/health\"\nstop_timeout = \"5s\"\n",
        *backend_binary(), instances);
    keeper_.emplace("keeper", std::vector<std::string>{baton_binary(), "keeper", "--config", config.string(),
                                                        "--home", home_},
                    dir_.path());
    ASSERT_TRUE(keeper_->wait_for_output(Stream::err, [](std::string_view text) {
      auto at = text.find(kListening);
      return at != std::string_view::npos && text.find('\n', at) != std::string_view::npos;
    })) << keeper_->output(Stream::err);
    auto text = keeper_->output(Stream::err);
    port_ = static_cast<std::uint16_t>(std::stoi(text.substr(text.find(kListening) + kListening.size(), 5)));
    ASSERT_TRUE(eventually([&] { return cli({"ls", "--json"}).second.find("\"healthy\":true") != std::string::npos; }));
  }

  std::size_t daemons_started() const {
    auto text = keeper_->output(Stream::err);
    std::size_t n = 0;
    for (auto at = text.find(kDaemonStarted); at != std::string::npos; at = text.find(kDaemonStarted, at + 1)) ++n;
    return n;
  }

  pid_t daemon_pid() const {
    auto text = keeper_->output(Stream::err);
    auto at = text.rfind(kDaemonStarted);
    return at == std::string::npos ? -1 : std::stoi(text.substr(at + kDaemonStarted.size(), 10));
  }

  bool serves() {
    Client client(port_);
    auto response = client.get("/hello");
    return response && response->status == 200;
  }

  std::optional<Process> keeper_;
  std::uint16_t port_ = 0;
};

TEST_F(Keeper, ADaemonKilledUnderLoadRefusesNoConnectionAndRestartsNoApp) {
  start_keeper(2);
  auto apps = pids_of(cli({"ls", "--json"}).second);
  ASSERT_EQ(apps.size(), 2u);
  auto& load = start_load(port_);
  constexpr int kKills = 5;
  for (int kill = 0; kill < kKills; ++kill) {
    auto before = daemons_started();
    pid_t daemon = daemon_pid();
    ASSERT_GT(daemon, 0);
    ::kill(daemon, SIGKILL);
    ASSERT_TRUE(eventually([&] { return daemons_started() > before; })) << keeper_->output(Stream::err);
    ASSERT_TRUE(eventually([&] { return serves(); })) << "served again after kill " << kill;
    ASSERT_TRUE(eventually([&] { return cli({"ls", "--json"}).second.find("\"healthy\":true") != std::string::npos; }));
  }
  auto summary = stop_load(load);
  EXPECT_GT(summary["requests"].get<std::uint64_t>(), 0u) << summary;
  EXPECT_FALSE(summary["errors"].contains("connect_refused")) << "a connection was refused: " << summary;
  // Only what a killed daemon held can fail: at most one request per load connection per kill.
  EXPECT_LE(summary["failed"].get<std::uint64_t>(), 8u * kKills) << summary;
  EXPECT_EQ(pids_of(cli({"ls", "--json"}).second), apps) << "the apps were adopted, not restarted";
}

TEST_F(Keeper, ASecondKeeperOnTheSameHomeIsRefusedWithThePidOfTheFirst) {
  start_keeper(1);
  Process second("second-keeper", {baton_binary(), "keeper", "--home", home_}, dir_.path());
  auto code = second.wait();
  EXPECT_EQ(code.value_or(-1), 1);
  EXPECT_NE(second.output(Stream::err).find("another baton keeper runs with the home"), std::string::npos)
      << second.output(Stream::err);
  EXPECT_TRUE(serves());
}

TEST_F(Keeper, StoppingTheKeeperStopsTheDaemonGracefully) {
  start_keeper(1);
  keeper_->signal(SIGTERM);
  auto code = keeper_->wait();
  EXPECT_EQ(code.value_or(-1), 0) << keeper_->output(Stream::err);
  EXPECT_NE(keeper_->output(Stream::err).find("event=keeper_stopped exit=0"), std::string::npos);
  Client client(port_);
  EXPECT_FALSE(client.get("/hello")) << "the listener is closed once the keeper is gone";
}
}  // namespace
}  // namespace baton::itest
