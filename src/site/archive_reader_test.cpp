#include "site/archive_reader.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "site/archive_test_support.hpp"

namespace baton::site {
namespace {
using namespace testing;

struct Read {
  std::vector<ArchiveEntry> entries;
  std::vector<std::string> data;
  std::string error;
};

Read read_all(std::string_view archive, std::size_t step = 4096, ArchiveLimits limits = {}) {
  Read out;
  ArchiveReader reader(memory_source(archive, step), limits);
  for (;;) {
    auto entry = reader.next();
    if (!entry) {
      out.error = entry.error();
      return out;
    }
    if (!*entry) return out;
    std::string data;
    char chunk[7];
    for (;;) {
      auto n = reader.read_data(chunk);
      if (!n) {
        out.error = n.error();
        return out;
      }
      if (*n == 0) break;
      data.append(chunk, *n);
    }
    out.entries.push_back(**entry);
    out.data.push_back(data);
  }
}

TEST(ArchiveReader, ReadsFilesDirectoriesAndLinks) {
  auto archive = tar_header("./", kDirectory, 0) + tar_header("assets/", kDirectory, 0, {}, 0755) +
                 tar_file("index.html", "<h1>hi</h1>") + tar_file("./assets//app.js", std::string(1000, 'x')) +
                 tar_header("assets/latest.js", kSymlink, 0, "app.js") + tar_end();
  auto read = read_all(archive, 3);
  ASSERT_EQ(read.error, "");
  ASSERT_EQ(read.entries.size(), 4u);
  EXPECT_EQ(read.entries[0].path, "assets");
  EXPECT_EQ(read.entries[0].type, EntryType::directory);
  EXPECT_EQ(read.entries[0].mode, 0755u);
  EXPECT_EQ(read.entries[1].path, "index.html");
  EXPECT_EQ(read.data[1], "<h1>hi</h1>");
  EXPECT_EQ(read.entries[1].mtime, 1700000000);
  EXPECT_EQ(read.entries[2].path, "assets/app.js");
  EXPECT_EQ(read.data[2], std::string(1000, 'x'));
  EXPECT_EQ(read.entries[3].type, EntryType::symlink);
  EXPECT_EQ(read.entries[3].link_target, "app.js");
}

TEST(ArchiveReader, LongPathsUseThePrefixField) {
  std::string path = std::string(80, 'd') + "/" + std::string(90, 'f');
  auto read = read_all(tar_file(path, "x") + tar_end());
  ASSERT_EQ(read.error, "");
  EXPECT_EQ(read.entries.at(0).path, path);
}

TEST(ArchiveReader, SkipsDataNobodyRead) {
  auto archive = tar_file("a", std::string(3000, 'a')) + tar_file("b", "bee") + tar_end();
  ArchiveReader reader(memory_source(archive));  // the source views `archive`: it must outlive the reader
  ASSERT_EQ((*reader.next())->path, "a");
  auto second = reader.next();
  ASSERT_TRUE(second && *second);
  EXPECT_EQ((*second)->path, "b");
}

void expect_refused(const std::string& archive, std::string_view phrase) {
  auto read = read_all(archive);
  EXPECT_NE(read.error.find(phrase), std::string::npos) << "error: '" << read.error << "', wanted: " << phrase;
}

TEST(ArchiveReader, RefusesPathsOutsideTheRelease) {
  expect_refused(tar_file("../x", "x") + tar_end(), "leaves the release");
  expect_refused(tar_file("a/../../x", "x") + tar_end(), "leaves the release");
  expect_refused(tar_file("/etc/passwd", "x") + tar_end(), "absolute path");
  expect_refused(tar_header("l", kSymlink, 0, "/etc/passwd") + tar_end(), "outside the release");
  expect_refused(tar_header("a/l", kSymlink, 0, "../../x") + tar_end(), "outside the release");
  expect_refused(tar_header("a/l", kSymlink, 0, "b/../../x") + tar_end(), "outside the release");
}

TEST(ArchiveReader, RefusesWhatASiteMustNotHold) {
  expect_refused(tar_header("dev", kCharDevice, 0) + tar_end(), "device file");
  expect_refused(tar_header("dev", kBlockDevice, 0) + tar_end(), "device file");
  expect_refused(tar_header("fifo", kFifo, 0) + tar_end(), "FIFO");
  expect_refused(tar_header("hard", kHardLink, 0, "index.html") + tar_end(), "hard link");
  expect_refused(tar_header("dir/", kDirectory, 5) + std::string(512, 'x') + tar_end(), "damaged archive");
  expect_refused(extension('x', pax_record("size", "600")) + tar_header("dir/", kDirectory, 0) + tar_end(),
                 "has data");
}

TEST(ArchiveReader, RefusesBrokenArchives) {
  auto good = tar_file("index.html", "hello") + tar_end();
  auto bad_sum = good;
  bad_sum[0] = 'j';
  expect_refused(bad_sum, "not an archive Baton reads");
  auto second_bad = tar_file("a", "1") + good;
  second_bad[1024] = 'j';
  expect_refused(second_bad, "damaged archive");
  expect_refused(good.substr(0, 700), "Truncated");                      // inside the data
  expect_refused(good.substr(0, 300), "not an archive Baton reads");     // inside the first header
  expect_refused(tar_file("a", "1") + good.substr(0, 300), "damaged archive");  // inside a later one
  expect_refused(good.substr(0, 1024), "without the end-of-archive marker");
  expect_refused(good.substr(0, 1024 + 512), "without the end-of-archive marker");
  expect_refused(good + "junk", "after the end-of-archive marker");
  expect_refused(good + std::string(5000, '\0') + "x", "after the end-of-archive marker");
  expect_refused(std::string(512, 'x') + tar_end(), "not an archive Baton reads");
  EXPECT_EQ(read_all(good + std::string(10240, '\0')).error, "");  // record padding is fine
  for (std::size_t step : {1, 7, 512, 1000}) {
    EXPECT_NE(read_all(good + "junk", step).error.find("after the end"), std::string::npos) << step;
    EXPECT_EQ(read_all(good + std::string(10240, '\0'), step).error, "") << step;
    EXPECT_NE(read_all(good.substr(0, 1536), step).error.find("end-of-archive marker"), std::string::npos) << step;
  }
}

const std::string kDeepPath = std::string(120, 'd') + "/" + std::string(30, 'e') + "/" + std::string(140, 'f') + ".js";

TEST(ArchiveReader, PaxHeadersCarryLongPathsLinksSizesAndTimes) {
  std::string target = "../" + std::string(150, 't');
  auto archive = extension('g', pax_record("comment", "3f9a1c2e")) +
                 extension('x', pax_record("path", kDeepPath) + pax_record("mtime", "1700000123.75") +
                                    pax_record("LIBARCHIVE.xattr.com.apple.quarantine", "MDA4MTs2") +
                                    pax_record("atime", "1.5") + pax_record("uname", "")) +
                 tar_file("truncated-name", "data") +
                 extension('x', pax_record("linkpath", target)) + tar_header("dir/link", kSymlink, 0, "short") +
                 extension('x', pax_record("size", "5")) + tar_header("sized", kFile, 0) + "12345" +
                 std::string(507, '\0') + tar_file("plain", "p") + tar_end();
  auto read = read_all(archive, 100);
  ASSERT_EQ(read.error, "");
  ASSERT_EQ(read.entries.size(), 4u);
  EXPECT_EQ(read.entries[0].path, kDeepPath);
  EXPECT_EQ(read.entries[0].mtime, 1700000123);
  EXPECT_EQ(read.data[0], "data");
  EXPECT_EQ(read.entries[1].path, "dir/link");
  EXPECT_EQ(read.entries[1].link_target, target);
  EXPECT_EQ(read.entries[2].size, 5u);
  EXPECT_EQ(read.data[2], "12345");
  EXPECT_EQ(read.entries[3].path, "plain");  // overrides apply to one entry only
  EXPECT_EQ(read.entries[3].mtime, 1700000000);
  auto negative = read_all(extension('x', pax_record("mtime", "-86400.5")) + tar_file("old", "o") + tar_end());
  ASSERT_EQ(negative.error, "");
  EXPECT_EQ(negative.entries.at(0).mtime, -86400);
}

// Extended headers are not entries: a limit on entries counts the files, dirs and links.
TEST(ArchiveReader, ExtendedHeadersDoNotCountAsEntries) {
  auto archive = extension('x', pax_record("atime", "1")) + tar_file("a", "1") + extension('x', pax_record("atime", "2")) +
                 tar_file("b", "2") + tar_end();
  EXPECT_EQ(read_all(archive, 4096, {.max_entries = 2}).error, "");
}

TEST(ArchiveReader, GnuLongNamesAndLinks) {
  std::string target = std::string(120, 'x') + ".js";
  auto archive = extension('L', kDeepPath + '\0') + tar_file("cut", "gnu") + extension('L', "a/long-link") +
                 extension('K', target + '\0') + tar_header("cut2", kSymlink, 0, "cut") + tar_end();
  auto read = read_all(archive);
  ASSERT_EQ(read.error, "");
  ASSERT_EQ(read.entries.size(), 2u);
  EXPECT_EQ(read.entries[0].path, kDeepPath);
  EXPECT_EQ(read.data[0], "gnu");
  EXPECT_EQ(read.entries[1].path, "a/long-link");
  EXPECT_EQ(read.entries[1].link_target, target);
}

TEST(ArchiveReader, RefusesMalformedOrUnsafeExtendedHeaders) {
  auto file = tar_file("a", "x");
  expect_refused(extension('x', "11 path=abc") + file + tar_end(), "malformed pax");
  expect_refused(extension('x', "99 path=abc\n") + file + tar_end(), "malformed pax");
  expect_refused(extension('x', "path=abc\n") + file + tar_end(), "malformed pax");
  expect_refused(extension('x', pax_record("path", "../../etc/passwd")) + file + tar_end(), "leaves the release");
  expect_refused(extension('x', pax_record("path", "/etc/passwd")) + file + tar_end(), "absolute path");
  expect_refused(extension('K', std::string("/etc/passwd") + '\0') + tar_header("l", kSymlink, 0, "x") + tar_end(),
                 "outside the release");
  expect_refused(extension('L', std::string(1, '\0')) + file + tar_end(), "empty name");
  expect_refused(extension('x', pax_record("path", "a")) + tar_end(), "damaged archive");
  expect_refused(extension('x', pax_record("atime", "1")) + tar_end(), "damaged archive");
  auto long_name = std::string(5000, 'n');
  auto refused = read_all(extension('x', pax_record("path", "/" + long_name)) + file + tar_end()).error;
  EXPECT_NE(refused, "");
  EXPECT_LT(refused.size(), 400u) << "a long name is shortened in messages";
  expect_refused(tar_header("big", 'x', (1 << 20) + 1) + tar_end(), "damaged archive");
  expect_refused(extension('x', pax_record("path", "a")).substr(0, 600), "damaged archive");
  expect_refused(extension('x', pax_record("size", "5000")) + file + tar_end(), "Truncated");
}

TEST(ArchiveReader, UnicodeNamesAreReadAsUtf8) {
  auto read = read_all(extension('x', pax_record("path", "caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac.txt")) +
                       tar_file("x", "u") + tar_end());
  ASSERT_EQ(read.error, "");
  EXPECT_EQ(read.entries.at(0).path, "caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac.txt");
}

TEST(ArchiveReader, EnforcesLimits) {
  auto two = tar_file("a", "1") + tar_file("b", "2") + tar_end();
  EXPECT_NE(read_all(two, 4096, {.max_entries = 1}).error.find("more than 1 entries"), std::string::npos);
  EXPECT_NE(read_all(two, 4096, {.max_bytes = 1}).error.find("past 1 bytes"), std::string::npos);
  EXPECT_EQ(read_all(two, 4096, {.max_entries = 2, .max_bytes = 2}).error, "");
}

TEST(ArchiveReader, ASourceErrorIsTheMessage) {
  ArchiveReader reader({.read = [](std::span<char>) -> std::expected<std::size_t, std::string> {
                           return std::unexpected("the disk is on fire");
                         },
                         .seek = {}});
  auto entry = reader.next();
  ASSERT_FALSE(entry);
  EXPECT_EQ(entry.error(), "the disk is on fire");
  EXPECT_FALSE(reader.next()) << "an error stays";
}

TEST(TarPaths, NormaliseAndCheckLinks) {
  EXPECT_EQ(normalize_entry_path("./a//b/./c/"), "a/b/c");
  EXPECT_EQ(normalize_entry_path("."), "");
  EXPECT_FALSE(normalize_entry_path("a/.."));
  EXPECT_TRUE(link_stays_inside("a/b/l", "../x"));
  EXPECT_TRUE(link_stays_inside("a/b/l", "../../x"));
  EXPECT_TRUE(link_stays_inside("l", "./x/y"));
  EXPECT_FALSE(link_stays_inside("a/b/l", "../../../x"));
  EXPECT_FALSE(link_stays_inside("l", ".."));
  EXPECT_FALSE(link_stays_inside("a/l", "x/../../y"));
  EXPECT_FALSE(link_stays_inside("a/l", "x/.."));
  EXPECT_FALSE(link_stays_inside("l", "/x"));
  EXPECT_FALSE(link_stays_inside("l", ""));
}

TEST(PaxRecord, CountsItsOwnLengthDigits) {
  EXPECT_EQ(pax_record("path", "a"), "9 path=a\n");
  EXPECT_EQ(pax_record("path", "ab"), "11 path=ab\n");  // 10 would make itself 11 long
  for (std::size_t n = 0; n < 1200; ++n) {
    auto text = pax_record("k", std::string(n, 'v'));
    EXPECT_EQ(std::stoul(text), text.size()) << n;
  }
}
}  // namespace
}  // namespace baton::site
