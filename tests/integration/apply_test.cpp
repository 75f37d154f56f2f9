// Changing what a running daemon runs: `baton apply FILE`, services registered with
// `baton start NAME --listen ADDR -- CMD`, `baton delete NAME`; what is refused changes nothing.
#include <fmt/format.h>

#include <csignal>
#include <fstream>

#include "deploy_fixture.hpp"

namespace baton::itest {
namespace {
class Apply : public Deploys {
 protected:
  // A daemon with no config file on the test's home.
  Process& start_bare_daemon() {
    home_ = (dir_.path() / "home").string();
    auto& daemon = *daemons_.emplace_back(std::make_unique<Process>(
        "daemon-" + std::to_string(daemons_.size()), std::vector<std::string>{baton_binary(), "daemon", "--home", home_},
        dir_.path()));
    EXPECT_TRUE(eventually([&] { return cli({"ls"}).first == 0; })) << daemon.output(Stream::err);
    return daemon;
  }
  void TearDown() override {
    for (auto& daemon : daemons_) {
      if (daemon->wait(std::chrono::milliseconds(0))) continue;
      daemon->signal(SIGTERM);
      daemon->wait();
    }
    Deploys::TearDown();
  }

  // `baton start NAME -i N --listen 127.0.0.1:PORT --health /health --home H -- backend --name VERSION`
  std::pair<int, std::string> register_backend(const std::string& name, std::uint16_t port, const std::string& version,
                                               unsigned instances = 2) {
    return cli_with_command({"start", name, "-i", std::to_string(instances), "--listen",
                             fmt::format("127.0.0.1:{}", port), "--health", "/health"},
                            {*backend_binary(), "--listen", "127.0.0.1:{port}", "--name", version});
  }
  std::pair<int, std::string> cli_with_command(std::vector<std::string> words, const std::vector<std::string>& command) {
    words.insert(words.end(), {"--home", home_, "--"});
    words.insert(words.end(), command.begin(), command.end());
    words.insert(words.begin(), baton_binary());
    Process process("cli-" + std::to_string(++cli_runs_), words, dir_.path());
    auto code = process.wait();
    return {code.value_or(-1), process.output(Stream::out) + process.output(Stream::err)};
  }
  std::string write_file(const std::string& name, const std::string& text) {
    auto path = (dir_.path() / name).string();
    std::ofstream(path) << text;
    return path;
  }
  // A managed service of the test backend answering /name with `version`.
  std::string backend_toml(const std::string& service, const std::string& listen, const std::string& version) {
    return fmt::format("[services.{}]\nlisten = \"{}\"\ncommand = [\"{}\", \"--listen\", \"127.0.0.1:{{port}}\", "
                       "\"--name\", \"{}\"]\ninstances = 2\nhealth = \"/health\"\nstop_timeout = \"5s\"\n",
                       service, listen, *backend_binary(), version);
  }
  std::set<pid_t> pids() { return pids_of(cli({"ls", "--json"}).second); }

  std::vector<std::unique_ptr<Process>> daemons_;
};

std::string name_at(std::uint16_t port) {
  Client client(port);
  auto response = client.get("/name");
  return response && response->status == 200 ? response->body : "";
}

bool refused(std::uint16_t port) { return !Client(port).get("/name"); }

TEST_F(Apply, ARegisteredServiceServesOutlivesAKilledDaemonAndIsDeleted) {
  auto& first = start_bare_daemon();
  auto port = free_port();
  auto [code, out] = register_backend("worker", port, "w1");
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("worker: every instance is healthy"), std::string::npos) << out;
  EXPECT_EQ(name_at(port), "w1");
  auto before = pids();
  ASSERT_EQ(before.size(), 2u);
  first.signal(SIGKILL);
  first.wait();
  start_bare_daemon();
  EXPECT_TRUE(eventually([&] { return name_at(port) == "w1"; }));
  EXPECT_EQ(pids(), before) << "the new daemon adopted the registered service's instances";
  auto [deleted, deleted_out] = cli({"delete", "worker"});
  ASSERT_EQ(deleted, 0) << deleted_out;
  EXPECT_TRUE(eventually([&] { return refused(port); })) << "its listener closed";
  for (pid_t pid : before) EXPECT_TRUE(eventually([&] { return ::kill(pid, 0) != 0; })) << pid;
  EXPECT_EQ(cli({"delete", "worker"}).first, 2) << "no such service any more";
}

TEST_F(Apply, AFileDeploysAddsAndRemovesServicesUnderLoadWithoutAFailedRequest) {
  auto& baton = start_service(2, "rolling");
  auto& load = start_load(baton.port());
  auto api_port = free_port();
  auto api_listen = fmt::format("127.0.0.1:{}", api_port);
  auto web_v1 = toml_;
  web_v1.replace(web_v1.find("\"v0\""), 4, "\"v1\"");
  auto grown = write_file("grown.toml", web_v1 + backend_toml("api", api_listen, "api1"));
  auto [code, out] = cli({"apply", grown});
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("start api; deploy web"), std::string::npos) << out;
  EXPECT_EQ(name_at(api_port), "api1");
  EXPECT_EQ(name_at(baton.port()), "v1");
  auto shrunk = write_file("shrunk.toml", web_v1);
  auto [removed, removed_out] = cli({"apply", shrunk});
  ASSERT_EQ(removed, 0) << removed_out;
  EXPECT_TRUE(eventually([&] { return refused(api_port); }));
  EXPECT_EQ(pids().size(), 2u) << "only web's instances are left";
  auto [again, again_out] = cli({"apply", shrunk});
  ASSERT_EQ(again, 0) << again_out;
  EXPECT_NE(again_out.find("nothing to change"), std::string::npos) << again_out;
  expect_no_failure(stop_load(load));
  EXPECT_EQ(name_at(baton.port()), "v1");
}

TEST_F(Apply, ABadFileADuplicateRouteOrAPortInUseChangesNothing) {
  auto& baton = start_service(2, "rolling");
  auto before = pids();
  auto& load = start_load(baton.port());
  auto bad = write_file("bad.toml", toml_ + "instances = \n");
  auto [invalid, invalid_out] = cli({"apply", bad});
  EXPECT_EQ(invalid, 2) << invalid_out;
  EXPECT_NE(invalid_out.find("bad.toml:"), std::string::npos) << invalid_out;
  auto twice = write_file("twice.toml", toml_ + backend_toml("copy", "127.0.0.1:0", "c"));
  auto [duplicate, duplicate_out] = cli({"apply", twice});
  EXPECT_EQ(duplicate, 2) << duplicate_out;
  EXPECT_NE(duplicate_out.find("same route"), std::string::npos) << duplicate_out;
  HeldPort taken;
  taken.listen(8);
  auto clash = write_file("clash.toml", toml_ + backend_toml("api", taken.address(), "api1"));
  auto [in_use, in_use_out] = cli({"apply", clash});
  EXPECT_EQ(in_use, 1) << in_use_out;
  EXPECT_NE(in_use_out.find("nothing was changed"), std::string::npos) << in_use_out;
  expect_no_failure(stop_load(load));
  EXPECT_EQ(pids(), before);
  EXPECT_EQ(name_at(baton.port()), "v0");
  auto status = nlohmann::json::parse(cli({"ls", "--json"}).second);
  EXPECT_EQ(status["services"].size(), 1u) << status;
}

TEST_F(Apply, TheAppliedFileOutlivesTheDaemonAndTheFileOnDisk) {
  auto& first = start_bare_daemon();
  auto port = free_port();
  auto path = write_file("app.toml", backend_toml("web", fmt::format("127.0.0.1:{}", port), "a1"));
  auto [code, out] = cli({"apply", path});
  ASSERT_EQ(code, 0) << out;
  EXPECT_EQ(name_at(port), "a1");
  first.signal(SIGTERM);
  first.wait();
  std::filesystem::remove(path);
  start_bare_daemon();
  EXPECT_TRUE(eventually([&] { return name_at(port) == "a1"; })) << "started from the text that was applied";
}

TEST_F(Apply, ACommandThatFindsNoDaemonStartsOneInTheBackground) {
  home_ = (dir_.path() / "home").string();
  auto port = free_port();
  ::unsetenv("BATON_NO_AUTOSTART");
  auto [code, out] = register_backend("web", port, "auto1");
  ::setenv("BATON_NO_AUTOSTART", "1", 1);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("started a daemon in the background"), std::string::npos) << out;
  EXPECT_EQ(name_at(port), "auto1");
  auto running = pids();
  EXPECT_EQ(running.size(), 2u);
  EXPECT_EQ(cli({"shutdown", "--stop-apps"}).first, 0) << "the background daemon stops like any other";
  for (pid_t pid : running) EXPECT_TRUE(eventually([&] { return ::kill(pid, 0) != 0; })) << pid;
  EXPECT_EQ(cli({"ls"}).first, 3) << "with BATON_NO_AUTOSTART=1 no daemon is started";
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "home" / "logs" / "daemon.log"));
}

TEST_F(Apply, MisuseExitsTwoAndAConfigServiceIsNotDeletedFromTheCli) {
  start_service(1, "rolling");
  EXPECT_EQ(cli({"start", "web", "--listen", "127.0.0.1:1"}).first, 2) << "--listen without a command";
  EXPECT_EQ(cli({"apply", (dir_.path() / "missing.toml").string()}).first, 2);
  auto [code, out] = cli({"delete", "web"});
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("baton apply"), std::string::npos) << out;
  auto [taken, taken_out] = register_backend("web", free_port(), "x");
  EXPECT_EQ(taken, 1) << taken_out;
  EXPECT_EQ(pids().size(), 1u);
}
}  // namespace
}  // namespace baton::itest
