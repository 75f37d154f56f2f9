// `baton import pm2`: the real binary turns an ecosystem file into a config that `baton check`
// accepts, never replaces a file without --force, and reads `pm2 jlist` from standard input.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "harness.hpp"

namespace baton::itest {
namespace {
constexpr std::string_view kImportEcosystem = R"js(// two apps, as PM2 users write them
module.exports = {
  apps: [
    {
      name: 'web',
      script: './server.js',
      instances: 2,
      exec_mode: 'cluster',
      max_memory_restart: '300M',
      kill_timeout: 3000,
      watch: true,
      env: { NODE_ENV: 'development', PORT: 3000 },
      env_production: { NODE_ENV: 'production' },
    },
    { name: 'worker', script: 'worker.js', cron_restart: '0 * * * *', env: { QUEUE: 'jobs' } },
  ],
};
)js";

constexpr std::string_view kImportJlist =
    R"([{"name":"api","pm2_env":{"pm_exec_path":"/srv/api/index.js","pm_cwd":"/srv/api","exec_interpreter":"node",)"
    R"("instances":1,"exec_mode":"fork_mode","env":{"PORT":"4000","PATH":"/usr/bin","TOKEN_TTL":"60"}}}])";

class Pm2Import : public ::testing::Test {
 protected:
  std::pair<int, std::string> baton(std::string name, std::vector<std::string> args) {
    args.insert(args.begin(), baton_binary());
    Process process(std::move(name), args, dir_.path());
    auto code = process.wait();
    return {code.value_or(-1), process.output(Stream::out) + process.output(Stream::err)};
  }
  std::filesystem::path write(const std::string& name, std::string_view text) {
    auto path = dir_.path() / name;
    std::ofstream(path) << text;
    return path;
  }
  TempDir dir_;
};

TEST_F(Pm2Import, WritesAConfigThatBatonCheckAccepts) {
  auto ecosystem = write("ecosystem.config.js", kImportEcosystem);
  auto output = (dir_.path() / "baton.toml").string();
  auto [code, said] = baton("import", {"import", "pm2", ecosystem.string(), "--env", "production", "-o", output});
  ASSERT_EQ(code, 0) << said;
  std::ifstream in(output);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("[services.web]"), std::string::npos) << text;
  EXPECT_NE(text.find("listen = \"0.0.0.0:3000\""), std::string::npos) << text;
  EXPECT_NE(text.find("NODE_ENV = \"production\""), std::string::npos) << text;
  EXPECT_NE(text.find("# watch = true:"), std::string::npos) << text;
  EXPECT_NE(text.find("[services.worker]"), std::string::npos) << text;

  auto [check_code, check_said] = baton("check", {"check", "--config", output});
  EXPECT_EQ(check_code, 0) << check_said << "\n" << text;
  EXPECT_NE(check_said.find("ok (2 services"), std::string::npos) << check_said;
}

TEST_F(Pm2Import, NeverReplacesAFileWithoutForce) {
  auto ecosystem = write("ecosystem.config.js", kImportEcosystem);
  auto output = write("baton.toml", "# mine\n").string();
  auto [code, said] = baton("import-again", {"import", "pm2", ecosystem.string(), "-o", output});
  EXPECT_EQ(code, 1) << said;
  EXPECT_NE(said.find("exists: give --force"), std::string::npos) << said;
  std::ifstream kept(output);
  std::string text((std::istreambuf_iterator<char>(kept)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "# mine\n");
  auto [forced, forced_said] = baton("import-force", {"import", "pm2", ecosystem.string(), "-o", output, "--force"});
  EXPECT_EQ(forced, 0) << forced_said;
}

TEST_F(Pm2Import, ReadsJlistFromStandardInput) {
  auto jlist = write("apps.json", kImportJlist);
  Process process("jlist", {"/bin/sh", "-c", baton_binary() + " import pm2 --jlist - < " + jlist.string()}, dir_.path());
  ASSERT_EQ(process.wait().value_or(-1), 0) << process.output(Stream::err);
  auto text = process.output(Stream::out);
  EXPECT_NE(text.find("command = [\"node\", \"/srv/api/index.js\"]"), std::string::npos) << text;
  EXPECT_NE(text.find("TOKEN_TTL = \"60\""), std::string::npos) << text;
  EXPECT_EQ(text.find("PATH = "), std::string::npos) << text;
}

TEST_F(Pm2Import, ABadFileIsRefusedWithItsLineAndColumn) {
  auto ecosystem = write("broken.config.js", "module.exports = {\n  apps: [ { name: 'web }\n");
  auto [code, said] = baton("broken", {"import", "pm2", ecosystem.string()});
  EXPECT_EQ(code, 2) << said;
  EXPECT_NE(said.find("broken.config.js:2:19: the string opened here is never closed"), std::string::npos) << said;
}
}  // namespace
}  // namespace baton::itest
