// Secrets (secret_env, secret_env_file, `baton deploy --env` of a secret name): the apps get the
// values at every start, restart, daemon restart and rollback, while the state database, the
// journal, the API, the CLI and the daemon's log only ever show "***".
#include <fmt/format.h>
#include <sys/stat.h>

#include <csignal>
#include <fstream>

#include "deploy_fixture.hpp"

namespace baton::itest {
namespace {
constexpr std::string_view kDatabaseUrl = "postgres://u:Pw-7f3e9c1d@db/x";
constexpr std::string_view kApiKey = "key 55a0b2 with spaces";
constexpr std::string_view kDeployToken = "tok-91cc04e8";

class Secrets : public Deploys {
 protected:
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_.path() / name) << text; }

  // The environment of a running process, from /proc (the app's own view of it).
  static std::string environ_of(pid_t pid) {
    auto text = read_text(fmt::format("/proc/{}/environ", pid));
    std::replace(text.begin(), text.end(), '\0', '\n');
    return "\n" + text;
  }

  static bool has(const std::string& environ, std::string_view name, std::string_view value) {
    return environ.find(fmt::format("\n{}={}\n", name, value)) != std::string::npos;
  }

  std::set<pid_t> pids(const std::string& release = "") {
    auto ls = cli({"ls", "--json"});
    seen_ += ls.second;
    return pids_of(ls.second, release);
  }

  std::pair<int, std::string> logged_cli(std::vector<std::string> args) {
    auto result = cli(std::move(args));
    seen_ += result.second;
    return result;
  }

  // Every byte of every file in the home except the secret files themselves.
  std::string home_bytes() {
    std::string all;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(home_)) {
      if (!entry.is_regular_file()) continue;
      if (entry.path().string().find("/secrets/") != std::string::npos) continue;
      all += read_text(entry.path());
    }
    return all;
  }

  std::string seen_;  // everything the CLI printed
};

TEST_F(Secrets, AppsGetThemEverywhereAndNothingElseShowsThem) {
  write("app.env", fmt::format("# the app's settings\nexport NODE_ENV=production\nDATABASE_URL=\"{}\"\n", kDatabaseUrl));
  write("secrets.env", fmt::format("API_KEY='{}'\n", kApiKey));
  write("more.env", "FEATURE=on # comment\n");
  auto& first = start_service(1, "blue-green", "10s",
                              "env_file = \"app.env\"\nsecret_env_file = [\"secrets.env\"]\n"
                              "secret_env = [\"DATABASE_URL\", \"DEPLOY_TOKEN\"]\n");
  auto r1 = pids("r1");
  ASSERT_EQ(r1.size(), 1u);
  auto env = environ_of(*r1.begin());
  EXPECT_TRUE(has(env, "DATABASE_URL", kDatabaseUrl) && has(env, "API_KEY", kApiKey) && has(env, "NODE_ENV", "production"))
      << env;

  auto [code, out] = deploy("v1", {"--env", fmt::format("DEPLOY_TOKEN={}", kDeployToken), "--env-file", (dir_.path() / "more.env").string()});
  seen_ += out;
  ASSERT_EQ(code, 0) << out;
  auto r2 = pids("r2");
  ASSERT_EQ(r2.size(), 1u);
  env = environ_of(*r2.begin());
  EXPECT_TRUE(has(env, "DEPLOY_TOKEN", kDeployToken) && has(env, "DATABASE_URL", kDatabaseUrl) && has(env, "FEATURE", "on"))
      << env;
  auto standby = pids("r1");
  ASSERT_EQ(standby.size(), 1u) << "blue-green keeps r1 up as a standby";
  EXPECT_TRUE(has(environ_of(*standby.begin()), "API_KEY", kApiKey));

  auto releases = logged_cli({"releases", "web", "--json"});
  ASSERT_EQ(releases.first, 0) << releases.second;
  auto list = nlohmann::json::parse(releases.second);
  EXPECT_EQ(list["releases"][1]["env"]["DEPLOY_TOKEN"], "***") << list;
  EXPECT_EQ(list["releases"][1]["env"]["DATABASE_URL"], "***") << list;
  EXPECT_EQ(list["releases"][1]["env"]["FEATURE"], "on") << list;
  logged_cli({"releases", "web"});

  // A daemon killed and started again adopts the instances; an instance that dies then gets the
  // values back from the home's secret files, not the masks from the database.
  first.process().signal(SIGKILL);
  first.process().wait();
  auto& second = restart_service();
  ASSERT_EQ(pids("r2"), r2) << "adopted";
  ::kill(*r2.begin(), SIGKILL);
  std::set<pid_t> restarted;
  ASSERT_TRUE(eventually([&] {
    restarted = pids("r2");
    return restarted.size() == 1 && restarted != r2 && pids().size() >= 1 &&
           cli({"ls", "--json"}).second.find("\"healthy\":true") != std::string::npos;
  }));
  env = environ_of(*restarted.begin());
  EXPECT_TRUE(has(env, "DEPLOY_TOKEN", kDeployToken) && has(env, "DATABASE_URL", kDatabaseUrl) && has(env, "API_KEY", kApiKey))
      << env;

  auto rollback = logged_cli({"rollback", "web", "--to", "r1"});
  ASSERT_EQ(rollback.first, 0) << rollback.second;
  auto back = pids("r1");
  ASSERT_FALSE(back.empty());
  for (pid_t pid : back) EXPECT_TRUE(has(environ_of(pid), "DATABASE_URL", kDatabaseUrl)) << environ_of(pid);

  logged_cli({"ls", "--json"});
  logged_cli({"releases", "web", "--json"});
  auto secret_file = std::filesystem::path(home_) / "secrets" / "web" / "r2.env";
  struct stat file_stat {};
  ASSERT_EQ(::stat(secret_file.c_str(), &file_stat), 0) << secret_file;
  EXPECT_EQ(file_stat.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(secret_file.parent_path().parent_path().c_str(), &file_stat), 0);
  EXPECT_EQ(file_stat.st_mode & 0777, 0700u);
  EXPECT_NE(read_text(secret_file).find(kDeployToken), std::string::npos);

  auto home = home_bytes();
  auto daemon_logs = first.process().output(Stream::err) + second.process().output(Stream::err);
  for (auto secret : {kDatabaseUrl, kApiKey, kDeployToken, std::string_view("Pw-7f3e9c1d"), std::string_view("55a0b2")}) {
    EXPECT_EQ(home.find(secret), std::string::npos) << secret << " is in the home (state database, journal, logs)";
    EXPECT_EQ(seen_.find(secret), std::string::npos) << secret << " was printed by the CLI";
    EXPECT_EQ(daemon_logs.find(secret), std::string::npos) << secret << " is in the daemon's log";
  }
  EXPECT_NE(seen_.find("***"), std::string::npos);
}

TEST_F(Secrets, ABadEnvFileIsRefusedByTheCliBeforeAnythingIsSent) {
  write("bad.env", "GOOD=1\nSECRET=\"never closed\n");
  start_service(1, "rolling");
  auto [code, out] = deploy("v1", {"--env-file", (dir_.path() / "bad.env").string()});
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("bad.env:2: the double quote opened here is never closed"), std::string::npos) << out;
  auto releases = nlohmann::json::parse(cli({"releases", "web", "--json"}).second);
  EXPECT_EQ(releases["releases"].size(), 1u) << "no deploy was asked for";
}
}  // namespace
}  // namespace baton::itest
