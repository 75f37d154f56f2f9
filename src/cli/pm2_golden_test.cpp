// tests/pm2/: real-looking PM2 files and the Baton config each becomes. BATON_UPDATE_GOLDEN=1
// writes the .toml files again from what the import produces now.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/pm2_import.hpp"
#include "config/loader.hpp"

namespace baton::cli {
namespace {
namespace fs = std::filesystem;

struct Pm2GoldenCase {
  const char* file;
  const char* env_name;
  bool jlist;
  bool needs_node;
};

constexpr Pm2GoldenCase kPm2GoldenCases[] = {
    {"nextjs-cluster.config.js", "production", false, false},
    {"express-api.config.js", "", false, false},
    {"queue-workers.config.js", "", false, false},
    {"python-app.config.js", "", false, false},
    {"node-fallback.config.js", "", false, true},
    {"jlist.json", "", true, false},
    {"misc.json", "", false, false},
};

// Names the case in test output instead of its bytes.
void PrintTo(const Pm2GoldenCase& c, std::ostream* out) { *out << c.file; }

fs::path pm2_fixtures() {
  const char* dir = std::getenv("BATON_PM2_FIXTURES");
  return dir ? fs::path(dir) : fs::path();
}

bool node_is_on_path() { return std::system("command -v node >/dev/null 2>&1") == 0; }

std::string file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class Pm2Golden : public ::testing::TestWithParam<Pm2GoldenCase> {};

TEST_P(Pm2Golden, ImportsAsItsGoldenFileAndLoads) {
  const auto& c = GetParam();
  auto fixtures = pm2_fixtures();
  ASSERT_FALSE(fixtures.empty()) << "BATON_PM2_FIXTURES (set by ctest) must name tests/pm2";
  if (c.needs_node && !node_is_on_path())
    GTEST_SKIP() << c.file << " is more than literals: reading it needs node, which is not on PATH";
  auto value = read_ecosystem_file((fixtures / c.file).string());
  ASSERT_TRUE(value) << value.error();
  if (c.jlist) value = ecosystem_from_jlist(*value);
  ASSERT_TRUE(value) << value.error();
  // A fixed directory and CPU count, so the output does not depend on where the tests run.
  Pm2ImportOptions options{.source_name = c.file, .base_dir = "/srv/app", .env_name = c.env_name, .cpus = 4};
  auto text = pm2_to_toml(*value, options);
  ASSERT_TRUE(text) << text.error();

  std::string name = c.file;
  auto golden = fixtures / (name.substr(0, name.find('.')) + ".toml");
  const char* update = std::getenv("BATON_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    std::ofstream(golden, std::ios::binary) << *text;
  } else {
    EXPECT_EQ(*text, file_text(golden)) << "regenerate with BATON_UPDATE_GOLDEN=1 if the change is meant";
  }
  auto config = parse_config(*text, golden.filename().string());
  ASSERT_TRUE(config) << config.error();
  EXPECT_FALSE(config->services.empty());
}

INSTANTIATE_TEST_SUITE_P(Files, Pm2Golden, ::testing::ValuesIn(kPm2GoldenCases),
                         [](const ::testing::TestParamInfo<Pm2GoldenCase>& info) {
                           std::string name = info.param.file;
                           name = name.substr(0, name.find('.'));
                           for (auto& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

TEST(Pm2Import, WithoutNodeAFileBeyondLiteralsNamesItsFirstConstruct) {
  auto fixtures = pm2_fixtures();
  ASSERT_FALSE(fixtures.empty());
  const char* path = std::getenv("PATH");
  std::string saved = path ? path : "";
  ::setenv("PATH", "/nonexistent", 1);
  auto value = read_ecosystem_file((fixtures / "node-fallback.config.js").string());
  ::setenv("PATH", saved.c_str(), 1);
  ASSERT_FALSE(value);
  EXPECT_NE(value.error().find("node-fallback.config.js:2:1: 'const'"), std::string::npos) << value.error();
  EXPECT_NE(value.error().find("pm2 jlist > apps.json; baton import pm2 --jlist apps.json"), std::string::npos);
}

TEST(Pm2Import, RefusesFilesWithoutApps) {
  Pm2ImportOptions options{.source_name = "x.js", .base_dir = "/srv", .env_name = "", .cpus = 1};
  EXPECT_FALSE(pm2_to_toml(nlohmann::json::object(), options));
  EXPECT_FALSE(pm2_to_toml(nlohmann::json{{"apps", nlohmann::json::array()}}, options));
  EXPECT_FALSE(pm2_to_toml(nlohmann::json{{"apps", 3}}, options));
  options.env_name = "production";
  auto missing_env = pm2_to_toml(nlohmann::json::parse(R"({"apps": [{"script": "a.js"}]})"), options);
  ASSERT_FALSE(missing_env);
  EXPECT_EQ(missing_env.error(), "--env production: no app has an env_production block");
}

TEST(Pm2Import, JlistMustBeAnArrayOfProcesses) {
  EXPECT_FALSE(ecosystem_from_jlist(nlohmann::json::object()));
  EXPECT_FALSE(ecosystem_from_jlist(nlohmann::json::parse(R"([{"name": "x"}])")));
}
}  // namespace
}  // namespace baton::cli
