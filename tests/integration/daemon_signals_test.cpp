// Each signal the daemon and the keeper take, sent to the real binaries: SIGHUP re-reads the config
// file (a bad one changes nothing), SIGUSR1 reopens the log files after a rename, the others leave
// the daemon answering, SIGQUIT drains and stops; the apps are never touched.
#include <fmt/format.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "keeper_fixture.hpp"

namespace baton::itest {
namespace {
namespace fs = std::filesystem;

std::string served_name(std::uint16_t port) {
  Client client(port);
  auto response = client.get("/name");
  return response && response->status == 200 ? response->body : "";
}

bool contains(const fs::path& file, std::string_view text) { return read_text(file).find(text) != std::string::npos; }

bool still_runs(const std::set<pid_t>& now, const std::set<pid_t>& before) { return std::ranges::includes(now, before); }

bool all_alive(const std::set<pid_t>& pids) {
  return std::ranges::all_of(pids, [](pid_t pid) { return ::kill(pid, 0) == 0; });
}

class DaemonSignals : public Deploys {
 protected:
  void TearDown() override {
    if (daemon_ && !daemon_->wait(std::chrono::milliseconds(0))) cli({"shutdown", "--stop-apps"});
    for (pid_t pid : left_running_) ::kill(-pid, SIGKILL);
    Deploys::TearDown();
  }

  // A managed service of the test backend answering /name with `version`; each instance also
  // prints a line every 100 ms, so its log file grows.
  std::string service_toml(const std::string& name, std::uint16_t port, const std::string& version) const {
    return fmt::format(
        "[services.{}]\nlisten = \"127.0.0.1:{}\"\n"
        "command = \"while :; do echo tick; sleep 0.1; done & exec {} --listen 127.0.0.1:{{port}} --name {}\"\n"
        "instances = 2\nhealth = \"/health\"\nstop_timeout = \"5s\"\n",
        name, port, *backend_binary(), version);
  }

  void start_daemon(const std::string& toml) {
    home_ = (dir_.path() / "home").string();
    config_ = dir_.path() / "signals.toml";
    std::ofstream(config_) << toml;
    daemon_.emplace("daemon",
                    std::vector<std::string>{baton_binary(), "daemon", "--config", config_.string(), "--home", home_,
                                             "--log-file", daemon_log().string()},
                    dir_.path());
    ASSERT_TRUE(eventually([&] { return cli({"ls", "--json"}).second.find("\"healthy\":true") != std::string::npos; }))
        << read_text(daemon_log());
  }

  fs::path logs() const { return fs::path(home_) / "logs"; }
  fs::path daemon_log() const { return dir_.path() / "home" / "logs" / "daemon.log"; }
  void send(int signal) { daemon_->signal(signal); }

  fs::path config_;
  std::optional<Process> daemon_;
  std::set<pid_t> left_running_;
};

TEST_F(DaemonSignals, EachSignalDoesWhatTheTableSaysAndTheAppsKeepRunning) {
  auto web_port = free_port();
  ASSERT_NO_FATAL_FAILURE(start_daemon(service_toml("web", web_port, "v0")));
  auto apps = pids_of(cli({"ls", "--json"}).second);
  ASSERT_EQ(apps.size(), 2u);
  Client kept(web_port);
  ASSERT_TRUE(kept.get("/name")) << kept.last_error();

  // SIGHUP: the file is read again and applied, as `baton apply` would.
  auto api_port = free_port();
  std::ofstream(config_) << service_toml("web", web_port, "v0") << service_toml("api", api_port, "a1");
  send(SIGHUP);
  ASSERT_TRUE(eventually([&] { return served_name(api_port) == "a1"; })) << read_text(daemon_log());
  EXPECT_TRUE(eventually([&] { return contains(daemon_log(), "event=reloaded file=" + config_.string()); }));
  // A file that does not load changes nothing, and the log names the file and the line.
  std::ofstream(config_) << "\n[proxy]\ncolour = \"blue\"\n";
  send(SIGHUP);
  ASSERT_TRUE(eventually([&] { return contains(daemon_log(), "event=reload_failed"); })) << read_text(daemon_log());
  EXPECT_TRUE(contains(daemon_log(), config_.string() + ":3: unknown key 'colour'")) << read_text(daemon_log());
  EXPECT_EQ(served_name(api_port), "a1");
  EXPECT_EQ(served_name(web_port), "v0");

  // SIGUSR1, after logrotate's rename: the daemon's log and the services' logs start again.
  fs::rename(daemon_log(), logs() / "daemon.log.1");
  fs::rename(logs() / "web.log", logs() / "web.log.1");
  send(SIGUSR1);
  ASSERT_TRUE(eventually([&] { return contains(daemon_log(), "event=logs_reopened"); }))
      << read_text(logs() / "daemon.log.1");
  EXPECT_TRUE(eventually([&] { return contains(logs() / "web.log", "out| tick"); }));
  EXPECT_FALSE(contains(logs() / "daemon.log.1", "event=logs_reopened"));

  // The rest: logged, ignored, the daemon answers on the connection it had.
  for (int signal : {SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGXCPU, SIGPIPE, SIGXFSZ}) {
    send(signal);
    auto response = kept.get("/name");
    ASSERT_TRUE(response) << "after signal " << signal << ": " << kept.last_error();
    EXPECT_EQ(response->body, "v0");
  }
  EXPECT_TRUE(eventually([&] { return contains(daemon_log(), "event=signal_ignored signal=SIGXCPU"); }));
  EXPECT_TRUE(contains(daemon_log(), "event=signal_ignored signal=SIGUSR2"));
  EXPECT_TRUE(still_runs(pids_of(cli({"ls", "--json"}).second), apps)) << "no signal restarted web's instances";

  // SIGQUIT: drains and stops like SIGTERM; the apps stay for the next daemon.
  auto every_app = pids_of(cli({"ls", "--json"}).second);
  send(SIGQUIT);
  EXPECT_EQ(daemon_->wait().value_or(-1), 0);
  EXPECT_TRUE(contains(daemon_log(), "event=shutdown signal=3"));
  EXPECT_TRUE(all_alive(every_app));
  left_running_ = every_app;
}

TEST_F(DaemonSignals, SighupWithoutAConfigFileChangesNothing) {
  home_ = (dir_.path() / "home").string();
  daemon_.emplace("daemon", std::vector<std::string>{baton_binary(), "daemon", "--home", home_}, dir_.path());
  ASSERT_TRUE(eventually([&] { return cli({"ls"}).first == 0; })) << daemon_->output(Stream::err);
  send(SIGHUP);
  EXPECT_TRUE(daemon_->wait_for_output(Stream::err, [](std::string_view err) {
    return err.find("event=reload_skipped") != std::string_view::npos;
  })) << daemon_->output(Stream::err);
  EXPECT_EQ(cli({"ls"}).first, 0);
}

class KeeperSignals : public KeeperRun {};

TEST_F(KeeperSignals, HupAndUsr1ReachTheDaemonQuitStopsBoth) {
  ASSERT_NO_FATAL_FAILURE(start_keeper(1));
  auto apps = app_pids();
  auto daemon = daemon_pid();
  pid_t keeper = keeper_->pid();

  auto api_port = free_port();
  std::ofstream(keeper_config(), std::ios::app)
      << fmt::format("[services.api]\nlisten = \"127.0.0.1:{}\"\n"
                     "command = [\"{}\", \"--listen\", \"127.0.0.1:{{port}}\", \"--name\", \"a1\"]\n",
                     api_port, *backend_binary());
  keeper_->signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return served_name(api_port) == "a1"; })) << keeper_->output(Stream::err);
  EXPECT_EQ(keeper_said("[keeper] event=signal_forwarded signal=SIGHUP"), 1u);

  auto logs = fs::path(home_) / "logs";
  fs::rename(logs / "web.log", logs / "web.log.1");
  keeper_->signal(SIGUSR1);
  ASSERT_TRUE(keeper_->wait_for_output(Stream::err, [](std::string_view err) {
    return err.find("event=logs_reopened") != std::string_view::npos;
  })) << keeper_->output(Stream::err);
  EXPECT_TRUE(fs::exists(logs / "web.log"));
  EXPECT_EQ(keeper_said("event=keeper_upgrade_started"), 0u) << "SIGUSR1 without a request is not an upgrade";

  keeper_->signal(SIGALRM);
  ASSERT_TRUE(keeper_->wait_for_output(Stream::err, [](std::string_view err) {
    return err.find("[keeper] event=signal_ignored signal=14") != std::string_view::npos;
  })) << keeper_->output(Stream::err);
  EXPECT_TRUE(serves());
  EXPECT_EQ(daemon_pid(), daemon);
  EXPECT_EQ(keeper_->pid(), keeper);
  EXPECT_TRUE(still_runs(app_pids(), apps)) << "web's instances were not restarted";

  auto every_app = app_pids();
  keeper_->signal(SIGQUIT);
  EXPECT_EQ(keeper_->wait().value_or(-1), 0) << keeper_->output(Stream::err);
  EXPECT_TRUE(all_alive(every_app));
  for (pid_t pid : every_app) ::kill(-pid, SIGKILL);
}
}  // namespace
}  // namespace baton::itest
