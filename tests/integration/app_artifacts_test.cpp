// App code as releases: `baton deploy web --from DIR` copies a build into the home, runs it from
// there, and a rollback runs the old release's own code, not only its env; a bad build changes
// nothing.
#include <fmt/format.h>

#include <sys/stat.h>

#include <cstdlib>
#include <algorithm>
#include <fstream>
#include <iterator>
#include <tuple>

#include "deploy_fixture.hpp"

namespace baton::itest {
namespace {
class AppArtifactsTest : public Deploys {
 protected:
  // A build of the "app": the test backend, named after the VERSION file of its own directory.
  std::filesystem::path build(const std::string& version) {
    auto dir = dir_.path() / ("build-" + version);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "VERSION") << version;
    std::ofstream(dir / "run.sh") << fmt::format("exec \"{}\" --listen \"127.0.0.1:$PORT\" --name \"$(cat VERSION)\"\n",
                                                 *backend_binary());
    return dir;
  }

  std::string served(std::uint16_t port) {
    Client client(port);
    auto response = client.get("/hello");
    return response ? response->header("X-Backend-Name").value_or("") : "";
  }

  std::pair<int, std::string> deploy_from(const std::filesystem::path& dir) {
    // --home before "--": cli() appends another after it, which only becomes the script's $1.
    return cli({"deploy", "web", "--from", dir.string(), "--home", home_, "--", "/bin/sh", "{release_dir}/run.sh"});
  }

  std::size_t release_dirs() {
    std::size_t count = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path() / "home" / "apps" / "web" / "releases", ec))
      count += entry.is_directory() ? 1 : 0;
    return count;
  }
};

TEST_F(AppArtifactsTest, EachDeployRunsItsOwnCopyAndARollbackRunsTheOldCode) {
  auto& baton = start_service(2, "rolling");
  auto v1 = build("code-1");
  auto [first, first_out] = deploy_from(v1);
  ASSERT_EQ(first, 0) << first_out;
  EXPECT_EQ(served(baton.port()), "code-1");
  // The build directory changes after the deploy: the release runs its copy.
  std::ofstream(v1 / "VERSION") << "changed-after-deploy";
  auto& load = start_load(baton.port());
  auto [second, second_out] = deploy_from(build("code-2"));
  ASSERT_EQ(second, 0) << second_out;
  EXPECT_EQ(served(baton.port()), "code-2");
  auto [back, back_out] = cli({"rollback", "web"});
  ASSERT_EQ(back, 0) << back_out;
  EXPECT_EQ(served(baton.port()), "code-1") << "the old release's own code, not the changed build";
  expect_no_failure(stop_load(load));
  EXPECT_EQ(release_dirs(), 2u);
}

TEST_F(AppArtifactsTest, ABuildThatCannotBeCopiedChangesNothing) {
  auto& baton = start_service(1, "rolling");
  auto before = served(baton.port());
  auto [missing, missing_out] = deploy_from(dir_.path() / "no-such-build");
  EXPECT_NE(missing, 0);
  EXPECT_NE(missing_out.find("not a directory or an archive"), std::string::npos) << missing_out;
  auto bad = build("with-a-fifo");
  ASSERT_EQ(::mkfifo((bad / "queue").c_str(), 0600), 0);
  auto [refused, refused_out] = deploy_from(bad);
  EXPECT_NE(refused, 0);
  EXPECT_NE(refused_out.find("queue"), std::string::npos) << refused_out;
  EXPECT_EQ(release_dirs(), 0u) << "nothing left behind";
  EXPECT_EQ(served(baton.port()), before);
  auto releases = nlohmann::json::parse(cli({"releases", "web", "--json"}).second, nullptr, false);
  EXPECT_EQ(releases["releases"].size(), 1u) << "no release was made: " << releases;
}
// What CI hands over: a tarball (any compression) or a zip of the build.
TEST_F(AppArtifactsTest, ArchivesOfTheBuildDeployAndABadOneChangesNothing) {
  auto& baton = start_service(1, "rolling");
  auto make = [&](const std::string& version, const std::string& name, const std::string& how) {
    auto dir = build(version);
    auto archive = dir_.path() / name;
    auto command = fmt::format("cd '{}' && {} '{}' . >/dev/null", dir.string(), how, archive.string());
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    return archive;
  };
  const std::tuple<std::string, std::string, std::string> kinds[] = {
      {"from-tgz", "app.tar.gz", "tar -czf"}, {"from-zst", "app.tar.zst", "tar --zstd -cf"},
      {"from-tar", "app.tar", "tar -cf"}, {"from-zip", "app.zip", "python3 -m zipfile -c"}};
  for (const auto& [version, name, how] : kinds) {
    auto [code, out] = deploy_from(make(version, name, how));
    ASSERT_EQ(code, 0) << name << ": " << out;
    EXPECT_EQ(served(baton.port()), version) << name;
  }
  auto evil = dir_.path() / "evil.tar";
  {
    auto inside = build("evil");
    std::ofstream(dir_.path() / "outside") << "x";
    // GNU tar strips a leading "../"; Python's tarfile writes the name it is given.
    auto command = fmt::format("cd '{}' && python3 -c \"import tarfile, sys; t = tarfile.open(sys.argv[1], 'w'); "
                               "t.add('run.sh'); t.add('../outside', arcname='../outside'); t.close()\" '{}'",
                               inside.string(), evil.string());
    ASSERT_EQ(std::system(command.c_str()), 0);
  }
  auto dirs_before = release_dirs();
  auto [refused, refused_out] = deploy_from(evil);
  EXPECT_NE(refused, 0);
  EXPECT_NE(refused_out.find("leaves the release"), std::string::npos) << refused_out;
  EXPECT_EQ(release_dirs(), dirs_before) << "nothing left behind";
  EXPECT_EQ(served(baton.port()), "from-zip");
}
// The spec's build hook runs inside each new release directory (and only for a fresh --from: a
// rollback runs what was built), `shared` entries outlive releases, the newest `keep` stay, and a
// failed build leaves nothing and changes nothing.
TEST_F(AppArtifactsTest, BuildHookSharedPathsAndKeep) {
  auto& baton = start_service(
      1, "rolling", "10s",
      "build = [\"/bin/sh\", \"-c\", \"test ! -e FAIL || { echo refusing to build; exit 3; }; "
      "echo \\\"$(cat VERSION)-built\\\" > VERSION; echo building $BATON_VERSION; date +%s%N >> storage/builds\"]\n"
      "keep = 2\nshared = [\"storage\", \".env\"]\n");
  auto [first, first_out] = deploy_from(build("code-1"));
  ASSERT_EQ(first, 0) << first_out;
  EXPECT_EQ(served(baton.port()), "code-1-built");
  EXPECT_NE(first_out.find("build hook: exited with 0"), std::string::npos) << first_out;
  EXPECT_NE(first_out.find("building"), std::string::npos) << "the build's output is in the progress\n" << first_out;
  auto shared = dir_.path() / "home" / "apps" / "web" / "shared";
  ASSERT_TRUE(std::filesystem::is_directory(shared / "storage"));
  for (int i = 2; i <= 4; ++i) {
    auto [code, out] = deploy_from(build(fmt::format("code-{}", i)));
    ASSERT_EQ(code, 0) << out;
    EXPECT_EQ(served(baton.port()), fmt::format("code-{}-built", i));
  }
  // Every build wrote through the same link: storage is one directory for all releases.
  EXPECT_EQ(std::count(std::istreambuf_iterator<char>(std::ifstream(shared / "storage" / "builds").rdbuf()), {}, '\n'), 4);
  EXPECT_EQ(release_dirs(), 2u) << "keep = 2";
  auto [back, back_out] = cli({"rollback", "web"});
  ASSERT_EQ(back, 0) << back_out;
  EXPECT_EQ(served(baton.port()), "code-3-built") << "a rollback runs the build it had, not a new one";
  EXPECT_EQ(back_out.find("build hook"), std::string::npos) << back_out;
  auto bad = build("code-5");
  std::ofstream(bad / "FAIL") << "";
  auto [failed, failed_out] = deploy_from(bad);
  EXPECT_NE(failed, 0);
  EXPECT_NE(failed_out.find("the build hook failed: exited with 3"), std::string::npos) << failed_out;
  EXPECT_NE(failed_out.find("refusing to build"), std::string::npos) << failed_out;
  EXPECT_EQ(served(baton.port()), "code-3-built");
  EXPECT_EQ(release_dirs(), 2u) << "a failed build leaves nothing behind";
  // code-1's directory was pruned: a rollback to it fails and the live release keeps serving.
  auto releases = nlohmann::json::parse(cli({"releases", "web", "--json"}).second, nullptr, false);
  std::string first_id;
  for (const auto& release : releases["releases"])
    if (release.dump().find("apps/web/releases/") != std::string::npos && first_id.empty())
      first_id = release["id"].get<std::string>();
  ASSERT_FALSE(first_id.empty()) << releases;
  auto [gone, gone_out] = cli({"rollback", "web", "--to", first_id});
  EXPECT_NE(gone, 0) << gone_out;
  EXPECT_NE(gone_out.find("No such file or directory"), std::string::npos) << gone_out;
  EXPECT_EQ(served(baton.port()), "code-3-built");
}
}  // namespace
}  // namespace baton::itest
