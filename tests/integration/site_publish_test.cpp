// `baton site publish|rollback|ls` against the real binary, and the daemon serving what they did.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "site_support.hpp"

namespace baton::itest {
namespace {
namespace fs = std::filesystem;

std::size_t count_entries(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), {}));
}

TEST_F(SiteTest, PublishServeAndRollBack) {
  auto v1 = make_build("v1", {{"index.html", "one"}, {"assets/app.1a2b3c4d.js", "chunk one"}});
  auto v2 = make_build("v2", {{"index.html", "two"}, {"assets/app.9f8e7d6c.js", "chunk two"}});
  auto first = publish(v1, "v1.0");
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.out.find("(v1.0) is live"), std::string::npos) << first.out;
  auto port = start_site();
  Client client(port);
  auto response = client.get("/");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->body, "one");
  EXPECT_EQ(response->header("Cache-Control"), "no-cache");

  ASSERT_EQ(publish(v2, "v2.0").code, 0);
  EXPECT_EQ(client.get("/index.html")->body, "two");
  // A tab still running v1 asks for its chunk: the kept release answers.
  auto old_chunk = client.get("/assets/app.1a2b3c4d.js");
  EXPECT_EQ(old_chunk->status, 200u);
  EXPECT_EQ(old_chunk->body, "chunk one");
  EXPECT_EQ(old_chunk->header("Cache-Control"), "public, max-age=31536000, immutable");

  auto listed = site({"ls", "web", "--json"});
  ASSERT_EQ(listed.code, 0) << listed.err;
  EXPECT_NE(listed.out.find("\"version\": \"v1.0\""), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("\"live\": true"), std::string::npos) << listed.out;
  auto table = site({"ls", "web"});
  EXPECT_NE(table.out.find("v2.0"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("live"), std::string::npos) << table.out;

  auto rolled = site({"rollback", "web"});
  ASSERT_EQ(rolled.code, 0) << rolled.err;
  EXPECT_EQ(client.get("/")->body, "one");
  EXPECT_EQ(client.get("/assets/app.9f8e7d6c.js")->body, "chunk two");
}

TEST_F(SiteTest, FailedPublishesChangeNothingAndSayWhy) {
  ASSERT_EQ(publish(make_build("good", {{"index.html", "good"}})).code, 0);
  auto live = fs::read_symlink(root() / "current");
  auto no_index = publish(make_build("noindex", {{"app.js", "x"}}));
  EXPECT_EQ(no_index.code, 1);
  EXPECT_NE(no_index.err.find("no index.html"), std::string::npos) << no_index.err;
  auto missing = publish((dir_.path() / "nowhere").string());
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("nowhere"), std::string::npos) << missing.err;
  auto bad_to = site({"rollback", "web", "--to", "20000101-000000-000000"});
  EXPECT_EQ(bad_to.code, 1);
  EXPECT_NE(bad_to.err.find("no release"), std::string::npos) << bad_to.err;
  EXPECT_EQ(fs::read_symlink(root() / "current"), live);
  EXPECT_EQ(count_entries(root() / "releases"), 1u);
}

TEST_F(SiteTest, UsageErrorsExitTwo) {
  EXPECT_EQ(run("usage", {baton_binary(), "site", "publish", "web"}).code, 2);
  auto no_location = run("usage", {baton_binary(), "site", "ls", "web"});
  EXPECT_EQ(no_location.code, 2);
  EXPECT_NE(no_location.err.find("--config"), std::string::npos) << no_location.err;
  auto config = dir_.path() / "baton.toml";
  std::ofstream(config) << site_table();
  auto unknown = run("usage", {baton_binary(), "site", "ls", "blog", "--config", config.string()});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("no site 'blog'"), std::string::npos) << unknown.err;
  auto known = run("ls", {baton_binary(), "site", "ls", "web", "--config", config.string()});
  EXPECT_EQ(known.code, 0) << known.err;
}

// A file-size limit makes the copy fail half-way, as a full disk does.
TEST_F(SiteTest, DiskFullDuringPublishLeavesNoPartialRelease) {
  ASSERT_EQ(publish(make_build("good", {{"index.html", "good"}})).code, 0);
  auto live = fs::read_symlink(root() / "current");
  auto big = make_build("big", {{"index.html", "x"}, {"big.bin", std::string(4 << 20, 'b')}});
  auto script = fmt::format("ulimit -f 1024; exec '{}' site publish web '{}' --root '{}'", baton_binary(), big,
                            root().string());
  auto full = run("full", {"/bin/sh", "-c", script});
  EXPECT_EQ(full.code, 1) << full.err;
  EXPECT_NE(full.err.find("File too large"), std::string::npos) << full.err;
  EXPECT_NE(full.err.find("big.bin"), std::string::npos) << full.err;
  EXPECT_EQ(fs::read_symlink(root() / "current"), live);
  EXPECT_EQ(count_entries(root() / "releases"), 1u);
}

TEST_F(SiteTest, KeepsTheConfiguredNumberOfReleases) {
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(publish(make_build("b" + std::to_string(i), {{"index.html", std::to_string(i)}})).code, 0);
  EXPECT_EQ(count_entries(root() / "releases"), 5u);
  auto sixth = site({"publish", "web", make_build("b5", {{"index.html", "5"}}), "--keep", "3"});
  ASSERT_EQ(sixth.code, 0) << sixth.err;
  EXPECT_EQ(count_entries(root() / "releases"), 3u);
}
}  // namespace
}  // namespace baton::itest
