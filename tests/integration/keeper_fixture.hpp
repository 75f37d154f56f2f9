#pragma once
// `baton keeper` with one managed service `web` of the test backend: its port, its
// daemon's pid from the keeper's log, and the CLI of Deploys against its home.
#include <csignal>
#include <fstream>
#include <optional>
#include <set>

#include "deploy_fixture.hpp"

namespace baton::itest {
class KeeperRun : public Deploys {
 protected:
  static constexpr std::string_view kDaemonStarted = "[keeper] event=daemon_started pid=";

  void TearDown() override {
    if (keeper_ && !keeper_->wait(std::chrono::milliseconds(0))) {
      keeper_->signal(SIGTERM);
      keeper_->wait();
    }
    Deploys::TearDown();
  }

  // web's table in the keeper's config; `more_keys` go into it (e.g. a shorter deploy_timeout).
  std::string web_toml(unsigned instances, std::string_view more_keys = "") const {
    return fmt::format(
        "[services.web]\nlisten = \"127.0.0.1:0\"\n"
        "command = [\"{}\", \"--listen\", \"127.0.0.1:{{port}}\", \"--name\", \"v0\"]\n"
        "instances = {}\nhealth = \"/health\"\nstop_timeout = \"5s\"\n{}",
        *backend_binary(), instances, more_keys);
  }

  void start_keeper(unsigned instances, std::string_view more_keys = "") {
    constexpr std::string_view kListening = "event=listening address=127.0.0.1:";
    home_ = (dir_.path() / "home").string();
    auto config = keeper_config();
    std::ofstream(config) << web_toml(instances, more_keys);
    keeper_.emplace("keeper", std::vector<std::string>{baton_binary(), "keeper", "--config", config.string(),
                                                        "--home", home_},
                    dir_.path());
    ASSERT_TRUE(keeper_->wait_for_output(Stream::err, [&](std::string_view text) {
      auto at = text.find(kListening);
      return at != std::string_view::npos && text.find('\n', at) != std::string_view::npos;
    })) << keeper_->output(Stream::err);
    auto text = keeper_->output(Stream::err);
    port_ = static_cast<std::uint16_t>(std::stoi(text.substr(text.find(kListening) + kListening.size(), 5)));
    ASSERT_TRUE(eventually([&] { return healthy(); }));
  }

  // The file the keeper's daemons read (`--config`).
  std::filesystem::path keeper_config() const { return dir_.path() / "keeper.toml"; }

  std::set<pid_t> app_pids() { return pids_of(cli({"ls", "--json"}).second); }

  // Sends `signal` to the running daemon and waits for the keeper's next one to start.
  void signal_daemon_and_wait_for_the_next(int signal) {
    auto before = daemons_started();
    pid_t daemon = daemon_pid();
    ASSERT_GT(daemon, 0);
    ::kill(daemon, signal);
    ASSERT_TRUE(eventually([&] { return daemons_started() > before; })) << keeper_->output(Stream::err);
  }

  bool healthy() { return cli({"ls", "--json"}).second.find("\"healthy\":true") != std::string::npos; }

  // How many times the keeper's log says `what`.
  std::size_t keeper_said(std::string_view what) const {
    auto text = keeper_->output(Stream::err);
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }

  std::size_t daemons_started() const { return keeper_said(kDaemonStarted); }

  pid_t daemon_pid() const {
    auto text = keeper_->output(Stream::err);
    auto at = text.rfind(kDaemonStarted);
    return at == std::string::npos ? -1 : std::stoi(text.substr(at + kDaemonStarted.size(), 10));
  }

  // Nothing failed and no connection was refused: what the keeper exists for.
  static void expect_no_failure_nor_refusal(const nlohmann::json& summary) {
    expect_no_failure(summary);
    EXPECT_FALSE(summary["errors"].contains("connect_refused")) << "a connection was refused: " << summary;
  }

  bool serves() {
    Client client(port_);
    auto response = client.get("/hello");
    return response && response->status == 200;
  }

  std::optional<Process> keeper_;
  std::uint16_t port_ = 0;
};
}  // namespace baton::itest
