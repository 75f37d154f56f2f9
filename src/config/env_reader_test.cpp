#include "config/env_reader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "config/loader.hpp"

namespace baton {
namespace {
using EnvPairs = std::vector<std::pair<std::string, std::string>>;

class EnvFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("baton-env-files-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "conf");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  std::string source() const { return (dir_ / "conf" / "baton.toml").string(); }
  std::expected<Config, std::string> load(const std::string& keys) {
    auto text = "[services.web]\nlisten = \"127.0.0.1:8080\"\ncommand = \"app\"\n" + keys;
    return parse_config(text, source());
  }

  std::filesystem::path dir_;
};

TEST_F(EnvFiles, FilesInOrderThenSecretFilesThenEnvWithPathsFromTheConfigsDirectory) {
  write("conf/.env", "A=from-env\nB=from-env\nC=from-env\n");
  write("conf/.env.production", "B=from-production\n");
  write("secret.env", "C=from-secret\nTOKEN=t\n");
  auto config = load("env_file = [\".env\", \".env.production\"]\nsecret_env_file = \"../secret.env\"\n"
                     "secret_env = [\"DB\"]\nenv = { A = \"from-table\" }\n");
  ASSERT_TRUE(config) << config.error();
  const auto& web = config->services.at("web");
  EXPECT_EQ(web.env, (EnvPairs{{"A", "from-table"}, {"B", "from-production"}, {"C", "from-secret"}, {"TOKEN", "t"}}));
  EXPECT_EQ(web.secret_env, (std::vector<std::string>{"C", "TOKEN", "DB"}));
}

TEST_F(EnvFiles, AnAbsolutePathIsTakenAsIs) {
  write("abs.env", "X=1\n");
  auto config = load(fmt::format("env_file = \"{}\"\n", (dir_ / "abs.env").string()));
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->services.at("web").env, (EnvPairs{{"X", "1"}}));
}

TEST_F(EnvFiles, ErrorsNameTheConfigLineAndTheEnvFilesLine) {
  write("conf/bad.env", "OK=1\n\nNOPE\n");
  auto config = load("env_file = [\"bad.env\"]\n");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error(), source() + ":4: 'env_file' in [services.web]: " + (dir_ / "conf" / "bad.env").string() +
                                ":3: 'NOPE' has no '=' and no value");
  auto missing = load("secret_env_file = [\"none.env\"]\n");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find(":4: 'secret_env_file' in [services.web]: "), std::string::npos) << missing.error();
  EXPECT_NE(missing.error().find("none.env: cannot read"), std::string::npos) << missing.error();
}

TEST_F(EnvFiles, ReservedNamesInAFileAreRefused) {
  write("conf/port.env", "A=1\nPORT=80\n");
  auto config = load("env_file = \"port.env\"\n");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().find("port.env:2: 'PORT' is reserved"), std::string::npos) << config.error();
}

TEST_F(EnvFiles, ASecretsValueInTheConfigFileIsRefusedWithoutShowingIt) {
  auto config = load("secret_env = [\"DB\"]\nenv = { DB = \"hunter2\" }\n");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().find("'DB' is a secret"), std::string::npos) << config.error();
  EXPECT_EQ(config.error().find("hunter2"), std::string::npos) << config.error();
  auto bad_name = load("secret_env = [\"1X\"]\n");
  ASSERT_FALSE(bad_name);
  EXPECT_NE(bad_name.error().find("'secret_env' in [services.web]: '1X' is not a variable name"), std::string::npos)
      << bad_name.error();
}

TEST_F(EnvFiles, ExternalServicesTakeNoEnvFiles) {
  auto config = parse_config("[services.api]\nlisten = \"127.0.0.1:8080\"\ntargets = [\"127.0.0.1:9000\"]\n"
                             "env_file = \".env\"\n",
                             source());
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().find("'env_file' in [services.api] is only for a managed service"), std::string::npos)
      << config.error();
}
}  // namespace
}  // namespace baton
