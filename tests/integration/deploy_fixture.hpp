#pragma once
// A daemon with one managed service `web` of the test backend, driven through the
// CLI (deploy, rollback, ls) while baton-load records every request.
#include <fmt/format.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <set>

#include "harness.hpp"

namespace baton::itest {
class Deploys : public IntegrationTest {
 protected:
  void SetUp() override {
    if (!backend_binary() || !load_binary()) GTEST_SKIP() << "built without baton-test-backend or baton-load";
  }
  // Instances outlive a killed daemon by design: end each daemon gracefully.
  void TearDown() override {
    for (auto& load : loads_)
      if (!load->wait(std::chrono::milliseconds(0))) load->stop();
    for (auto& baton : batons_) {
      if (baton->process().wait(std::chrono::milliseconds(0))) continue;
      baton->process().signal(SIGTERM);
      baton->process().wait();
    }
    IntegrationTest::TearDown();
  }

  Baton& start_service(unsigned instances, std::string_view strategy, std::string_view deploy_timeout = "10s",
                       std::string_view extra = "") {
    toml_ = fmt::format(
        "[services.web]\nlisten = \"127.0.0.1:0\"\n"
        "command = [\"{}\", \"--listen\", \"127.0.0.1:{{port}}\", \"--name\", \"v0\"]\n"
        "instances = {}\nstrategy = \"{}\"\nhealth = \"/health\"\nstop_timeout = \"5s\"\n"
        "deploy_timeout = \"{}\"\n{}",
        *backend_binary(), instances, strategy, deploy_timeout, extra);
    return restart_service();
  }

  // Another daemon on the same config and home (the one before must have ended).
  Baton& restart_service() {
    auto& baton = start_baton(toml_);
    home_ = (dir_.path() / "home").string();
    EXPECT_TRUE(eventually([&] { return cli({"ls", "--json"}).second.find("\"healthy\":true") != std::string::npos; }));
    return baton;
  }

  std::pair<int, std::string> cli(std::vector<std::string> args) {
    args.insert(args.begin(), baton_binary());
    args.push_back("--home");
    args.push_back(home_);
    Process process("cli-" + std::to_string(++cli_runs_), args, dir_.path());
    auto code = process.wait();
    return {code.value_or(-1), process.output(Stream::out) + process.output(Stream::err)};
  }

  // `baton deploy web --version NAME [more] -- backend --name NAME [app_args]`
  std::pair<int, std::string> deploy(const std::string& version, std::vector<std::string> more = {},
                                     std::vector<std::string> app_args = {}) {
    std::vector<std::string> args{"deploy", "web", "--version", version};
    args.insert(args.end(), more.begin(), more.end());
    args.insert(args.end(), {"--", *backend_binary(), "--listen", "127.0.0.1:{port}", "--name", version});
    args.insert(args.end(), app_args.begin(), app_args.end());
    std::string home_flag = "--home";
    // --home must come before `--`: everything after it is the command.
    args.insert(args.begin() + 2, {home_flag, home_});
    args.insert(args.begin(), baton_binary());
    Process process("deploy-" + std::to_string(++cli_runs_), args, dir_.path());
    auto code = process.wait();
    return {code.value_or(-1), process.output(Stream::out) + process.output(Stream::err)};
  }

  // With cookies, each connection is one client that keeps its release; without, every request
  // is a new client (how a canary's share is seen exactly).
  Process& start_load(std::uint16_t port, bool cookies = true) {
    std::vector<std::string> argv{*load_binary(), "--url", fmt::format("http://127.0.0.1:{}/hello", port),
                                  "--connections", "8", "--json"};
    if (cookies) argv.push_back("--cookies");
    return *loads_.emplace_back(std::make_unique<Process>("load-" + std::to_string(loads_.size()), argv, dir_.path()));
  }

  static nlohmann::json stop_load(Process& load) {
    load.signal(SIGTERM);
    load.wait();
    return nlohmann::json::parse(load.output(Stream::out));
  }

  static void expect_no_failure(const nlohmann::json& summary) {
    EXPECT_GT(summary["requests"].get<std::uint64_t>(), 0u) << summary;
    EXPECT_EQ(summary["failed"].get<std::uint64_t>(), 0u) << summary;
  }

  std::string toml_;
  std::string home_;
  int cli_runs_ = 0;
  std::vector<std::unique_ptr<Process>> loads_;
};

// The pids `baton ls --json` reports for a release of web (every release when empty).
inline std::set<pid_t> pids_of(const std::string& ls_json, const std::string& release = "") {
  std::set<pid_t> pids;
  auto status = nlohmann::json::parse(ls_json, nullptr, false);
  if (!status.is_object()) return pids;
  for (const auto& instance : status["instances"])
    if (release.empty() || instance["release"] == release)
      if (auto pid = instance["pid"].get<pid_t>(); pid > 0) pids.insert(pid);
  return pids;
}
}  // namespace baton::itest
