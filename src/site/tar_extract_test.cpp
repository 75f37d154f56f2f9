// The archive path of a publish: a build written as ustar, read back strictly and extracted
// into a release through the store, and archives that must leave nothing behind.
#include "site/tar_extract.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "site/site_store.hpp"
#include "site/site_test_support.hpp"
#include "site/tar_test_support.hpp"
#include "site/tar_writer.hpp"

namespace baton::site {
namespace {
namespace fs = std::filesystem;
using namespace testing;

// Over ustar's 100-byte name field: the rest goes into its prefix field.
const std::string kLongPath = std::string(60, 'a') + "/" + std::string(60, 'b') + "/" + std::string(80, 'c') + ".css";

class TarPublishTest : public testing::SiteDirTest {
 protected:
  std::string tar_of_build() {
    std::string archive;
    auto written = write_tar(build(), [&](std::span<const char> bytes) -> std::expected<void, std::string> {
      archive.append(bytes.data(), bytes.size());
      return {};
    });
    EXPECT_TRUE(written) << written.error();
    return archive;
  }
  std::expected<ReleaseInfo, PublishError> publish(const std::string& archive) {
    auto store = SiteStore::open(root_);
    TarReader reader(memory_source(archive, 777));
    return store->publish_tree([&](int dirfd) { return extract_tar(reader, dirfd); }, "the archive", {.version = "v"});
  }
};

TEST_F(TarPublishTest, ABuildRoundTripsThroughAnArchive) {
  write("index.html", "home");
  write("assets/js/app.3f9a1c2e.js", std::string(5000, 'j'));
  write(kLongPath, "long");
  fs::create_symlink("js/app.3f9a1c2e.js", base_ / "build/assets/app.js");
  fs::last_write_time(base_ / "build/index.html", fs::file_time_type::clock::now() - std::chrono::hours(48));
  ::chmod((base_ / "build/index.html").c_str(), 0640);
  auto archive = tar_of_build();
  EXPECT_EQ(archive.size() % 512, 0u);
  auto published = publish(archive);
  ASSERT_TRUE(published) << published.error().message;
  EXPECT_EQ(published->meta.files, 4u);
  EXPECT_EQ(published->meta.bytes, 5000u + 4 + 4);
  EXPECT_EQ(read_live("index.html"), "home");
  EXPECT_EQ(read_live("assets/app.js"), std::string(5000, 'j'));
  EXPECT_EQ(read_live(kLongPath), "long");
  EXPECT_EQ(fs::read_symlink(fs::path(root_) / "current/assets/app.js"), "js/app.3f9a1c2e.js");
  struct stat built{}, served{};
  ::stat((base_ / "build/index.html").c_str(), &built);
  ::stat((fs::path(root_) / "current/index.html").c_str(), &served);
  EXPECT_EQ(built.st_mtim.tv_sec, served.st_mtim.tv_sec);  // the same ETag after a remote publish
  EXPECT_EQ(served.st_mode & 0777, 0640u);
}

TEST_F(TarPublishTest, ARefusedArchiveLeavesNothingAndCurrentUntouched) {
  ASSERT_TRUE(publish(tar_file("index.html", "one") + tar_end()));
  auto before = fs::read_symlink(fs::path(root_) / "current");
  for (const auto& bad : {tar_file("index.html", "two") + tar_file("../x", "evil") + tar_end(),
                          tar_file("index.html", "two") + tar_file("index.html", "again") + tar_end(),
                          tar_header("a", ustar::kSymlink, 0, "b") + tar_file("a/x", "through a link") + tar_end(),
                          tar_file("a", "file") + tar_file("a/x", "under a file") + tar_end(),
                          tar_file("index.html", "two") + std::string(600, '\0'),
                          tar_file("app.js", "no index") + tar_end(), tar_end()}) {
    auto published = publish(bad);
    ASSERT_FALSE(published);
    EXPECT_TRUE(published.error().refused) << published.error().message;
    EXPECT_EQ(fs::read_symlink(fs::path(root_) / "current"), before);
    EXPECT_EQ(entries_in_releases(), 1u) << published.error().message;
  }
  EXPECT_EQ(read_live("index.html"), "one");
}

// Past what ustar's fields hold (a 255-byte name, 100-byte links): the writer adds pax records.
TEST_F(TarPublishTest, PathsAndLinksTooLongForUstarRoundTripThroughPaxHeaders) {
  std::string deep = std::string(200, 'd') + "/" + std::string(200, 'f') + ".js";
  std::string target = std::string(200, 'd') + "/" + std::string(200, 'f') + ".js";
  write("index.html", "home");
  write(deep, "deep");
  fs::create_symlink(target, base_ / "build/latest.js");
  auto archive = tar_of_build();
  EXPECT_NE(archive.find("path=" + deep), std::string::npos);
  auto published = publish(archive);
  ASSERT_TRUE(published) << published.error().message;
  EXPECT_EQ(published->meta.files, 3u);
  EXPECT_EQ(read_live(deep), "deep");
  EXPECT_EQ(read_live("latest.js"), "deep");
  EXPECT_EQ(fs::read_symlink(fs::path(root_) / "current/latest.js"), target);
}

TEST_F(TarPublishTest, TheWriterRefusesWhatTheReaderWould) {
  write("index.html", "x");
  ASSERT_EQ(::mkfifo((base_ / "build/pipe").c_str(), 0600), 0);
  auto written = write_tar(build(), [](std::span<const char>) -> std::expected<void, std::string> { return {}; });
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().find("pipe"), std::string::npos) << written.error();
}
}  // namespace
}  // namespace baton::site
