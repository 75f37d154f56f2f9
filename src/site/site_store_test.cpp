#include "site/site_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "site/site_test_support.hpp"

namespace baton::site {
namespace {
namespace fs = std::filesystem;

PublishOptions options(std::string version = "", bool require_index = true, unsigned keep = 5) {
  return {.version = std::move(version), .require_index = require_index, .keep = keep};
}

class SiteStoreTest : public testing::SiteDirTest {
 protected:
  SiteStore store() { return std::move(SiteStore::open(root_).value()); }
};

TEST_F(SiteStoreTest, PublishCopiesTheBuildAndMakesItLive) {
  write("index.html", "one");
  write("assets/app.js", "js");
  fs::create_symlink("app.js", base_ / "build/assets/alias.js");
  auto s = store();
  auto published = s.publish(build(), options("v1"));
  ASSERT_TRUE(published) << published.error();
  EXPECT_EQ(published->meta.version, "v1");
  EXPECT_EQ(published->meta.files, 3u);
  EXPECT_EQ(published->meta.bytes, 5u);
  EXPECT_EQ(read_live("index.html"), "one");
  EXPECT_EQ(read_live("assets/alias.js"), "js");
  EXPECT_TRUE(fs::is_symlink(fs::path(root_) / "current"));
  EXPECT_EQ(fs::read_symlink(fs::path(root_) / "current"), fs::path("releases") / published->id);
  EXPECT_EQ(s.live().value(), published->id);
}

TEST_F(SiteStoreTest, ListShowsEveryReleaseAndWhichIsLive) {
  write("index.html", "one");
  auto s = store();
  auto first = s.publish(build(), options("v1")).value();
  write("index.html", "two!");
  auto second = s.publish(build(), options("v2")).value();
  auto releases = s.list().value();
  ASSERT_EQ(releases.size(), 2u);
  EXPECT_EQ(releases[0].id, first.id);
  EXPECT_EQ(releases[0].meta.version, "v1");
  EXPECT_FALSE(releases[0].live);
  EXPECT_EQ(releases[1].meta.version, "v2");
  EXPECT_EQ(releases[1].meta.bytes, 4u);
  EXPECT_TRUE(releases[1].live);
  EXPECT_TRUE(releases[1].has_meta);
}

TEST_F(SiteStoreTest, RollbackSwapsToThePreviousOrTheNamedRelease) {
  auto s = store();
  std::vector<std::string> ids;
  for (auto text : {"one", "two", "three"}) {
    write("index.html", text);
    ids.push_back(s.publish(build(), options()).value().id);
  }
  EXPECT_EQ(s.rollback("").value(), ids[1]);
  EXPECT_EQ(read_live("index.html"), "two");
  EXPECT_EQ(s.rollback(ids[2]).value(), ids[2]);
  EXPECT_EQ(read_live("index.html"), "three");
  EXPECT_FALSE(s.rollback("nope"));
  EXPECT_EQ(read_live("index.html"), "three");
}

TEST_F(SiteStoreTest, KeepsTheNewestReleasesOnly) {
  auto s = store();
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) {
    write("index.html", std::to_string(i));
    ids.push_back(s.publish(build(), options("", true, 3)).value().id);
  }
  auto releases = s.list().value();
  ASSERT_EQ(releases.size(), 3u);
  EXPECT_EQ(releases[0].id, ids[3]);
  EXPECT_EQ(releases[2].id, ids[5]);
}

TEST_F(SiteStoreTest, RefusesBadBuildsAndChangesNothing) {
  write("index.html", "one");
  auto s = store();
  auto first = s.publish(build(), options()).value();
  fs::remove(base_ / "build/index.html");
  write("other.html", "x");
  auto no_index = s.publish(build(), options());
  ASSERT_FALSE(no_index);
  EXPECT_NE(no_index.error().find("no index.html"), std::string::npos) << no_index.error();
  EXPECT_TRUE(s.publish(build(), options("", false)));
  EXPECT_EQ(s.rollback(first.id).value(), first.id);

  fs::remove_all(base_ / "build");
  fs::create_directories(base_ / "build");
  auto empty = s.publish(build(), options("", false));
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().find("is empty"), std::string::npos) << empty.error();

  ASSERT_EQ(::mkfifo((base_ / "build/pipe").c_str(), 0600), 0);
  write("index.html", "fifo");
  auto fifo = s.publish(build(), options());
  ASSERT_FALSE(fifo);
  EXPECT_NE(fifo.error().find("not a regular file"), std::string::npos) << fifo.error();

  EXPECT_FALSE(s.publish((base_ / "missing").string(), options()));
  EXPECT_EQ(s.live().value(), first.id);
  EXPECT_EQ(read_live("index.html"), "one");
  EXPECT_EQ(entries_in_releases(), 2u);  // no partial release left behind
}

TEST_F(SiteStoreTest, ACurrentDirectoryIsAnErrorNotOverwritten) {
  write("index.html", "one");
  fs::create_directories(fs::path(root_) / "current");
  auto s = store();
  auto published = s.publish(build(), options());
  ASSERT_FALSE(published);
  EXPECT_NE(published.error().find("is not a symlink"), std::string::npos) << published.error();
  EXPECT_TRUE(fs::is_directory(fs::path(root_) / "current"));
  EXPECT_EQ(entries_in_releases(), 0u);
}
}  // namespace
}  // namespace baton::site
