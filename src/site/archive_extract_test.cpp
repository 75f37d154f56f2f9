// The archive path of a publish: a build written as tar, read back strictly and extracted into a
// release through the store; archives made by the archivers users have; and archives that must
// leave nothing behind.
#include "site/archive_extract.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "site/site_store.hpp"
#include "site/site_test_support.hpp"
#include "site/archive_test_support.hpp"
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
    ArchiveReader reader(memory_source(archive, 777));
    return store->publish_tree([&](int dirfd) { return extract_archive(reader, dirfd); }, "the archive", {.version = "v"});
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
                          tar_header("a", kSymlink, 0, "b") + tar_file("a/x", "through a link") + tar_end(),
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

// What users upload: GNU tar with each compression it knows, and a zip (Info-ZIP's way of
// storing a symlink: its target as the data, S_IFLNK in the external attributes).
TEST_F(TarPublishTest, ArchivesFromRealArchiversArePublished) {
  write("index.html", "home");
  write("assets/app.js", std::string(3000, 'a'));
  write("caf\xc3\xa9.txt", "utf-8 name");
  fs::create_symlink("app.js", base_ / "build/assets/latest.js");
  auto out = base_ / "out";
  const std::string zip_script =
      "import os, sys, zipfile\n"
      "with zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_DEFLATED) as z:\n"
      "  for top, dirs, files in os.walk(sys.argv[1]):\n"
      "    for name in sorted(dirs + files):\n"
      "      full = os.path.join(top, name); rel = os.path.relpath(full, sys.argv[1])\n"
      "      if os.path.islink(full):\n"
      "        info = zipfile.ZipInfo(rel); info.external_attr = (0o120777 << 16); info.create_system = 3\n"
      "        z.writestr(info, os.readlink(full))\n"
      "      elif os.path.isfile(full): z.write(full, rel)\n";
  std::ofstream(base_ / "zip.py") << zip_script;
  const std::pair<const char*, std::string> makers[] = {
      {"tar", "tar -C build -cf out ."},
      {"tar.gz", "tar -C build -czf out ."},
      {"tar.bz2", "tar -C build -cjf out ."},
      {"tar.xz", "tar -C build -cJf out ."},
      {"tar.zst", "tar -C build --zstd -cf out ."},
      {"zip", "python3 zip.py build out"},
  };
  for (const auto& [kind, command] : makers) {
    SCOPED_TRACE(kind);
    fs::remove(out);
    ASSERT_EQ(std::system(fmt::format("cd '{}' && {}", base_.string(), command).c_str()), 0) << command;
    std::ostringstream bytes;
    bytes << std::ifstream(out, std::ios::binary).rdbuf();
    auto published = publish(bytes.str());
    ASSERT_TRUE(published) << published.error().message;
    EXPECT_EQ(published->meta.files, 4u);
    EXPECT_EQ(read_live("assets/latest.js"), std::string(3000, 'a'));
    EXPECT_EQ(read_live("caf\xc3\xa9.txt"), "utf-8 name");
    EXPECT_EQ(fs::read_symlink(fs::path(root_) / "current/assets/latest.js"), "app.js");
  }
}

// A compressed tar cut short is caught by its compression; a zip entry pointing out is refused.
TEST_F(TarPublishTest, CompressedArchivesCutShortAreRefused) {
  write("index.html", std::string(200000, 'h'));
  write("other.html", "o");
  auto out = base_ / "out";
  ASSERT_EQ(std::system(fmt::format("cd '{}' && tar -C build -czf out .", base_.string()).c_str()), 0);
  std::ostringstream bytes;
  bytes << std::ifstream(out, std::ios::binary).rdbuf();
  auto whole = bytes.str();
  for (auto cut : {whole.size() / 2, whole.size() - 4}) {
    auto published = publish(whole.substr(0, cut));
    ASSERT_FALSE(published) << cut;
    EXPECT_TRUE(published.error().refused) << published.error().message;
    EXPECT_EQ(entries_in_releases(), 0u) << published.error().message;
  }
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
