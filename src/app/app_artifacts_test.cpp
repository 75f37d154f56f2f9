#include "app/app_artifacts.hpp"

#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>

#include "supervisor/test_support.hpp"

namespace baton {
namespace {
namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(AppArtifacts, StoresACopyThatLaterChangesToTheBuildDoNotReach) {
  supervisor::testing::TempDir dir;
  auto build = dir.path() / "build";
  fs::create_directories(build / "lib");
  std::ofstream(build / "server.js") << "v1";
  std::ofstream(build / "lib" / "util.js") << "util";
  fs::create_symlink("server.js", build / "main.js");
  AppArtifacts artifacts(dir.path() / "home");
  auto stored = artifacts.store("web", build.string());
  ASSERT_TRUE(stored) << stored.error();
  EXPECT_EQ(stored->parent_path(), dir.path() / "home" / "apps" / "web" / "releases");
  std::ofstream(build / "server.js") << "v2";
  EXPECT_EQ(slurp(*stored / "server.js"), "v1");
  EXPECT_EQ(slurp(*stored / "lib" / "util.js"), "util");
  EXPECT_EQ(fs::read_symlink(*stored / "main.js"), "server.js");
  auto second = artifacts.store("web", build.string());
  ASSERT_TRUE(second);
  EXPECT_NE(*second, *stored);
  EXPECT_EQ(slurp(*second / "server.js"), "v2");
}

TEST(AppArtifacts, AFailedCopyLeavesNothingAndSaysWhy) {
  supervisor::testing::TempDir dir;
  auto build = dir.path() / "build";
  fs::create_directories(build);
  std::ofstream(build / "ok.js") << "fine";
  ASSERT_EQ(::mkfifo((build / "pipe").c_str(), 0600), 0);
  AppArtifacts artifacts(dir.path() / "home");
  auto stored = artifacts.store("web", build.string());
  ASSERT_FALSE(stored);
  EXPECT_NE(stored.error().find("pipe"), std::string::npos) << stored.error();
  EXPECT_TRUE(fs::is_empty(artifacts.releases_dir("web"))) << "no staging directory left";
  EXPECT_FALSE(artifacts.store("web", (dir.path() / "missing").string()));
  EXPECT_FALSE(artifacts.store("web", "relative/build"));
  EXPECT_TRUE(fs::is_empty(artifacts.releases_dir("web")));
}

TEST(AppArtifacts, PruneKeepsWhatReleasesUse) {
  supervisor::testing::TempDir dir;
  auto build = dir.path() / "build";
  fs::create_directories(build);
  std::ofstream(build / "app") << "x";
  AppArtifacts artifacts(dir.path() / "home");
  auto a = artifacts.store("web", build.string()).value();
  auto b = artifacts.store("web", build.string()).value();
  auto c = artifacts.store("web", build.string()).value();
  EXPECT_EQ(artifacts.prune("web", {a.string(), c.string()}), 1u);
  EXPECT_TRUE(fs::exists(a));
  EXPECT_FALSE(fs::exists(b));
  EXPECT_TRUE(fs::exists(c));
  EXPECT_EQ(artifacts.prune("nothing-here", {}), 0u);
}

TEST(AppArtifacts, PruneRemovesACopyACrashLeftHalfDone) {
  supervisor::testing::TempDir dir;
  AppArtifacts artifacts(dir.path() / "home");
  auto left = artifacts.releases_dir("web") / ".staging-20261207T000000Z-1-1";
  fs::create_directories(left / "lib");
  EXPECT_EQ(artifacts.prune("web", {}), 1u);
  EXPECT_FALSE(fs::exists(left));
}

TEST(AppArtifacts, ReleaseDirIsTheCwdAndFillsThePlaceholder) {
  deploy::ReleaseSpec spec;
  spec.command = {"node", "{release_dir}/server.js", "--root={release_dir}/{release_dir}"};
  spec.env = {{"APP_ROOT", "{release_dir}"}, {"OTHER", "1"}};
  use_release_dir(spec, "/h/apps/web/releases/x");
  EXPECT_EQ(spec.cwd, "/h/apps/web/releases/x");
  EXPECT_EQ(spec.command[1], "/h/apps/web/releases/x/server.js");
  EXPECT_EQ(spec.command[2], "--root=/h/apps/web/releases/x//h/apps/web/releases/x");
  EXPECT_EQ(spec.env[0].second, "/h/apps/web/releases/x");
  EXPECT_EQ(spec.env[1].second, "1");
}
// The first build seeds shared/ with what it holds there; later builds' copies give way to the link;
// an entry no build has starts as an empty directory.
TEST(AppArtifacts, SharedEntriesAreLinksSeededByTheFirstBuild) {
  supervisor::testing::TempDir dir;
  auto build = dir.path() / "build";
  fs::create_directories(build / "storage");
  std::ofstream(build / "storage" / "seed.txt") << "from the first build";
  std::ofstream(build / "index.js") << "app";
  AppArtifacts artifacts(dir.path() / "home");
  const std::vector<std::string> shared{"storage", "node_modules/.cache"};
  auto first = artifacts.store("web", build.string(), shared);
  ASSERT_TRUE(first) << first.error();
  auto root = artifacts.shared_dir("web");
  EXPECT_EQ(fs::read_symlink(*first / "storage"), root / "storage");
  EXPECT_EQ(slurp(*first / "storage" / "seed.txt"), "from the first build");
  EXPECT_TRUE(fs::is_directory(root / "node_modules" / ".cache"));
  EXPECT_EQ(fs::read_symlink(*first / "node_modules" / ".cache"), root / "node_modules" / ".cache");
  std::ofstream(*first / "storage" / "upload.png") << "user data";
  std::ofstream(build / "storage" / "seed.txt") << "from a later build";
  auto second = artifacts.store("web", build.string(), shared);
  ASSERT_TRUE(second) << second.error();
  EXPECT_EQ(slurp(*second / "storage" / "upload.png"), "user data");
  EXPECT_EQ(slurp(*second / "storage" / "seed.txt"), "from the first build") << "shared/ is not overwritten";
  artifacts.discard("web", second->string());
  EXPECT_FALSE(fs::exists(*second));
  EXPECT_TRUE(fs::exists(root / "storage" / "upload.png")) << "discarding a release keeps shared/";
  artifacts.discard("web", (dir.path() / "build").string());
  EXPECT_TRUE(fs::exists(build)) << "only release directories are discarded";
}
}  // namespace
}  // namespace baton
