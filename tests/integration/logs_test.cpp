// `baton logs` and `baton flush` on the real binary, services' log files with log_per_instance and
// rotation by size, and the access log in its own file with request ids.
#include <fmt/format.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "deploy_fixture.hpp"

namespace baton::itest {
namespace {
namespace fs = std::filesystem;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

class Logs : public Deploys {
 protected:
  void TearDown() override {
    if (daemon_ && !daemon_->wait(std::chrono::milliseconds(0))) cli({"shutdown", "--stop-apps"});
    Deploys::TearDown();
  }

  // A managed service of the test backend whose instances also print "tick" to stdout and "tock"
  // to stderr every `every`.
  std::string chatty_toml(const std::string& name, const std::string& more = "", const std::string& every = "0.1") const {
    return fmt::format(
        "[services.{}]\nlisten = \"127.0.0.1:{}\"\n"
        "command = \"while :; do echo tick; echo tock >&2; sleep {}; done & exec {} --listen 127.0.0.1:{{port}}\"\n"
        "instances = 2\nhealth = \"/health\"\nstop_timeout = \"5s\"\n{}",
        name, free_port(), every, *backend_binary(), more);
  }

  void start_daemon(const std::string& toml) {
    home_ = (dir_.path() / "home").string();
    auto config = dir_.path() / "logs.toml";
    std::ofstream(config) << toml;
    daemon_.emplace("daemon", std::vector<std::string>{baton_binary(), "daemon", "--config", config.string(), "--home", home_},
                    dir_.path());
    ASSERT_TRUE(eventually([&] { return cli({"ls", "--json"}).second.find("\"healthy\":true") != std::string::npos; }))
        << daemon_->output(Stream::err);
  }

  fs::path logs() const { return fs::path(home_) / "logs"; }
  // stdout alone: cli() mixes in stderr.
  std::pair<int, std::string> cli_out(std::vector<std::string> args) {
    args.insert(args.begin(), baton_binary());
    args.insert(args.end(), {"--home", home_});
    Process process("logs-cli-" + std::to_string(++cli_runs_), args, dir_.path());
    auto code = process.wait();
    return {code.value_or(-1), process.output(Stream::out)};
  }

  std::optional<Process> daemon_;
};

TEST_F(Logs, EveryServiceEachStreamJsonAndSince) {
  ASSERT_NO_FATAL_FAILURE(start_daemon(chatty_toml("web") + chatty_toml("api")));
  ASSERT_TRUE(eventually([&] {
    auto out = cli_out({"logs", "-n", "200"}).second;
    return out.find(" web#1@r1 out| tick") != std::string::npos && out.find(" api#0@r1 err| tock") != std::string::npos &&
           lines_of(out).size() >= 100;
  })) << "baton logs without a name shows every service's instances";

  auto [all_code, all] = cli_out({"logs", "-n", "40"});
  EXPECT_EQ(all_code, 0);
  auto all_lines = lines_of(all);
  EXPECT_EQ(all_lines.size(), 40u);
  EXPECT_TRUE(std::ranges::is_sorted(all_lines, {}, [](const std::string& line) { return line.substr(0, 24); }))
      << "merged by time:\n" << all;
  EXPECT_EQ(all.find("level="), std::string::npos) << "the daemon's own lines are not a service's";

  auto err = lines_of(cli_out({"logs", "web", "--err", "-n", "10"}).second);
  ASSERT_EQ(err.size(), 10u);
  for (const auto& line : err) EXPECT_NE(line.find(" err| tock"), std::string::npos) << line;
  auto out = lines_of(cli_out({"logs", "web", "--out", "-n", "10"}).second);
  ASSERT_EQ(out.size(), 10u);
  for (const auto& line : out) EXPECT_NE(line.find(" out| "), std::string::npos) << line;

  auto json_lines = lines_of(cli_out({"logs", "api", "--json", "--err", "-n", "5"}).second);
  ASSERT_EQ(json_lines.size(), 5u);
  for (const auto& line : json_lines) {
    auto object = nlohmann::json::parse(line);
    EXPECT_EQ(object["service"], "api");
    EXPECT_EQ(object["release"], "r1");
    EXPECT_EQ(object["stream"], "err");
    EXPECT_EQ(object["line"], "tock");
    EXPECT_TRUE(object["instance"] == 0 || object["instance"] == 1) << line;
    EXPECT_EQ(object["time"].get<std::string>().size(), 24u);
  }

  EXPECT_FALSE(lines_of(cli_out({"logs", "--since", "5m"}).second).empty());
  EXPECT_TRUE(lines_of(cli_out({"logs", "--since", "2199-01-01T00:00"}).second).empty());
  auto [bad_code, bad] = cli({"logs", "--since", "yesterday"});
  EXPECT_EQ(bad_code, 2) << bad;
  EXPECT_NE(bad.find("--since needs"), std::string::npos) << bad;
  EXPECT_EQ(cli({"logs", "--out", "--err"}).first, 2);
  EXPECT_EQ(cli({"logs", "nosuch"}).first, 2);

  // -f without a name: lines of both services as they come.
  Process follow("follow", {baton_binary(), "logs", "-f", "-n", "0", "--home", home_}, dir_.path());
  EXPECT_TRUE(follow.wait_for_output(Stream::out, [](std::string_view text) {
    return text.find(" web#0@r1 ") != std::string_view::npos && text.find(" api#1@r1 ") != std::string_view::npos;
  })) << follow.output(Stream::out);
  follow.signal(SIGTERM);
  follow.wait();
}

TEST_F(Logs, FlushEmptiesTheFilesAndTheInstancesKeepLogging) {
  ASSERT_NO_FATAL_FAILURE(start_daemon(chatty_toml("web") + chatty_toml("api")));
  ASSERT_TRUE(eventually([&] { return fs::file_size(logs() / "web.log") > 2000 && fs::file_size(logs() / "api.log") > 2000; }));
  auto [code, said] = cli({"flush", "web"});
  ASSERT_EQ(code, 0) << said;
  EXPECT_NE(said.find("flushed " + (logs() / "web.log").string()), std::string::npos) << said;
  EXPECT_LT(fs::file_size(logs() / "web.log"), 2000u);
  EXPECT_GT(fs::file_size(logs() / "api.log"), 2000u) << "only web was flushed";
  ASSERT_TRUE(eventually([&] { return read_text(logs() / "web.log").find("out| tick") != std::string::npos; }))
      << "the instances keep logging into the emptied file";
  EXPECT_EQ(read_text(logs() / "web.log").find('\0'), std::string::npos) << "no hole of zeros where the old lines were";
  EXPECT_EQ(cli({"flush"}).first, 0);
  EXPECT_LT(fs::file_size(logs() / "api.log"), 2000u);
  EXPECT_EQ(cli({"flush", "nosuch"}).first, 2);
}

TEST_F(Logs, PerInstanceFilesRotateWithinTheirSize) {
  // Each instance writes ~60 bytes every 10 ms: a 4 KiB file rotates within a second.
  ASSERT_NO_FATAL_FAILURE(start_daemon(
      chatty_toml("web", "log_per_instance = true\nlog_max_size = \"4KiB\"\nlog_max_files = 2\n", "0.01")));
  EXPECT_FALSE(fs::exists(logs() / "web.log"));
  ASSERT_TRUE(eventually([&] { return fs::exists(logs() / "web.0.log.2") && fs::exists(logs() / "web.1.log.2"); }));
  for (int check = 0; check < 20; ++check) {
    for (auto& entry : fs::directory_iterator(logs())) {
      auto name = entry.path().filename().string();
      if (!name.starts_with("web.")) continue;
      EXPECT_LE(entry.file_size(), 4096u) << name;
      EXPECT_FALSE(name.ends_with(".3")) << "log_max_files = 2 keeps two: " << name;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(read_text(logs() / "web.0.log").find("web#1@"), std::string::npos) << "instance 1 writes its own file";
  auto both = cli_out({"logs", "web", "-n", "100"}).second;
  EXPECT_NE(both.find(" web#0@r1 "), std::string::npos) << both;
  EXPECT_NE(both.find(" web#1@r1 "), std::string::npos) << both;
}

TEST_F(Logs, AccessLogHasItsOwnFileAndRequestIdsReachTheApp) {
  auto port = free_port();
  ASSERT_NO_FATAL_FAILURE(start_daemon(fmt::format(
      "[logs]\naccess_format = \"json\"\n[services.web]\nlisten = \"127.0.0.1:{}\"\naccess_log = true\n"
      "command = [\"{}\", \"--listen\", \"127.0.0.1:{{port}}\"]\nhealth = \"/health\"\n",
      port, *backend_binary())));
  Client client(port);
  auto given = client.get("/headers", "X-Request-Id: order-42\r\n");
  ASSERT_TRUE(given) << client.last_error();
  EXPECT_NE(given->body.find("order-42"), std::string::npos) << "passed upstream: " << given->body;
  auto invalid = client.get("/headers", "X-Request-Id: has spaces\r\n");
  ASSERT_TRUE(invalid) << client.last_error();
  EXPECT_EQ(invalid->body.find("has spaces"), std::string::npos) << "replaced, not passed: " << invalid->body;
  ASSERT_TRUE(client.get("/status/404"));
  auto access = logs() / "access.log";
  ASSERT_TRUE(eventually([&] { return lines_of(read_text(access)).size() >= 3; })) << read_text(access);
  auto lines = lines_of(read_text(access));
  auto first = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(first["request_id"], "order-42");
  EXPECT_EQ(first["service"], "web");
  EXPECT_EQ(first["path"], "/headers");
  auto made = nlohmann::json::parse(lines[1])["request_id"].get<std::string>();
  EXPECT_EQ(made.size(), 32u) << made;
  EXPECT_NE(invalid->body.find(made), std::string::npos) << "the made id went upstream: " << invalid->body;
  EXPECT_EQ(nlohmann::json::parse(lines[2])["status"], 404);
  EXPECT_EQ(daemon_->output(Stream::err).find("/status/404"), std::string::npos) << "not in the daemon's log";
  EXPECT_EQ(daemon_->output(Stream::out).find("/status/404"), std::string::npos) << "nor on stdout";
}
}  // namespace
}  // namespace baton::itest
