#include "site/tar_reader.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "site/tar_test_support.hpp"
#include "site/tar_writer.hpp"

namespace baton::site {
namespace {
using namespace testing;

struct Read {
  std::vector<TarEntry> entries;
  std::vector<std::string> data;
  std::string error;
};

Read read_all(const std::string& archive, std::size_t step = 4096, TarLimits limits = {}) {
  Read out;
  TarReader reader(memory_source(archive, step), limits);
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

TEST(TarReader, ReadsFilesDirectoriesAndLinks) {
  auto archive = tar_header("./", ustar::kDirectory, 0) + tar_header("assets/", ustar::kDirectory, 0, {}, 0755) +
                 tar_file("index.html", "<h1>hi</h1>") + tar_file("./assets//app.js", std::string(1000, 'x')) +
                 tar_header("assets/latest.js", ustar::kSymlink, 0, "app.js") + tar_end();
  auto read = read_all(archive, 3);
  ASSERT_EQ(read.error, "");
  ASSERT_EQ(read.entries.size(), 4u);
  EXPECT_EQ(read.entries[0].path, "assets");
  EXPECT_EQ(read.entries[0].type, TarType::directory);
  EXPECT_EQ(read.entries[0].mode, 0755u);
  EXPECT_EQ(read.entries[1].path, "index.html");
  EXPECT_EQ(read.data[1], "<h1>hi</h1>");
  EXPECT_EQ(read.entries[1].mtime, 1700000000);
  EXPECT_EQ(read.entries[2].path, "assets/app.js");
  EXPECT_EQ(read.data[2], std::string(1000, 'x'));
  EXPECT_EQ(read.entries[3].type, TarType::symlink);
  EXPECT_EQ(read.entries[3].link_target, "app.js");
}

TEST(TarReader, LongPathsUseThePrefixField) {
  std::string path = std::string(80, 'd') + "/" + std::string(90, 'f');
  auto read = read_all(tar_file(path, "x") + tar_end());
  ASSERT_EQ(read.error, "");
  EXPECT_EQ(read.entries.at(0).path, path);
}

TEST(TarReader, SkipsDataNobodyRead) {
  auto archive = tar_file("a", std::string(3000, 'a')) + tar_file("b", "bee") + tar_end();
  TarReader reader(memory_source(archive));  // the source views `archive`: it must outlive the reader
  ASSERT_EQ((*reader.next())->path, "a");
  auto second = reader.next();
  ASSERT_TRUE(second && *second);
  EXPECT_EQ((*second)->path, "b");
}

void expect_refused(const std::string& archive, std::string_view phrase) {
  auto read = read_all(archive);
  EXPECT_NE(read.error.find(phrase), std::string::npos) << "error: '" << read.error << "', wanted: " << phrase;
}

TEST(TarReader, RefusesPathsOutsideTheRelease) {
  expect_refused(tar_file("../x", "x") + tar_end(), "leaves the release");
  expect_refused(tar_file("a/../../x", "x") + tar_end(), "leaves the release");
  expect_refused(tar_file("/etc/passwd", "x") + tar_end(), "absolute path");
  expect_refused(tar_header("l", ustar::kSymlink, 0, "/etc/passwd") + tar_end(), "outside the release");
  expect_refused(tar_header("a/l", ustar::kSymlink, 0, "../../x") + tar_end(), "outside the release");
  expect_refused(tar_header("a/l", ustar::kSymlink, 0, "b/../../x") + tar_end(), "outside the release");
}

TEST(TarReader, RefusesWhatASiteMustNotHold) {
  expect_refused(tar_header("dev", ustar::kCharDevice, 0) + tar_end(), "device file");
  expect_refused(tar_header("dev", ustar::kBlockDevice, 0) + tar_end(), "device file");
  expect_refused(tar_header("fifo", ustar::kFifo, 0) + tar_end(), "FIFO");
  expect_refused(tar_header("hard", ustar::kHardLink, 0, "index.html") + tar_end(), "hard link");
  expect_refused(tar_header("dir/", ustar::kDirectory, 5) + std::string(512, 'x') + tar_end(), "has data");
}

TEST(TarReader, RefusesBrokenArchives) {
  auto good = tar_file("index.html", "hello") + tar_end();
  auto bad_sum = good;
  bad_sum[0] = 'j';
  expect_refused(bad_sum, "bad header checksum");
  expect_refused(good.substr(0, 700), "truncated");                 // inside the data
  expect_refused(good.substr(0, 300), "truncated");                 // inside the header
  expect_refused(good.substr(0, 1024), "truncated");                // no end marker
  expect_refused(good.substr(0, 1024 + 512), "truncated");          // half an end marker
  expect_refused(good + "junk", "after the end");
  expect_refused(std::string(512, 'x') + tar_end(), "bad header checksum");
  auto bad_size = tar_header("a", ustar::kFile, 0);
  std::memcpy(bad_size.data() + ustar::kSize.offset, "0000000001x", 11);
  ustar::Block block;
  std::memcpy(block.data(), bad_size.data(), 512);
  ustar::seal(block);
  expect_refused(std::string(block.data(), 512) + tar_end(), "malformed");
  EXPECT_EQ(read_all(good + std::string(10240, '\0')).error, "");  // record padding is fine
}

// An extended header ('x', 'g', 'L' or 'K') with its data and padding.
std::string extension(char type, std::string_view data) {
  return tar_header("././@PaxHeader", type, data.size()) + std::string(data) +
         std::string(ustar::padding(data.size()), '\0');
}

const std::string kDeepPath = std::string(120, 'd') + "/" + std::string(30, 'e') + "/" + std::string(140, 'f') + ".js";

TEST(TarReader, PaxHeadersCarryLongPathsLinksSizesAndTimes) {
  std::string target = "../" + std::string(150, 't');
  auto archive = extension('g', pax::record("comment", "3f9a1c2e")) +
                 extension('x', pax::record("path", kDeepPath) + pax::record("mtime", "1700000123.75") +
                                    pax::record("LIBARCHIVE.xattr.com.apple.quarantine", "MDA4MTs2") +
                                    pax::record("atime", "1.5") + pax::record("uname", "")) +
                 tar_file("truncated-name", "data") +
                 extension('x', pax::record("linkpath", target)) + tar_header("dir/link", ustar::kSymlink, 0, "short") +
                 extension('x', pax::record("size", "5")) + tar_header("sized", ustar::kFile, 0) + "12345" +
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
  auto negative = read_all(extension('x', pax::record("mtime", "-86400.5")) + tar_file("old", "o") + tar_end());
  ASSERT_EQ(negative.error, "");
  EXPECT_EQ(negative.entries.at(0).mtime, -86400);
}

// Extended headers are not entries: a limit on entries counts the files, dirs and links.
TEST(TarReader, ExtendedHeadersDoNotCountAsEntries) {
  auto archive = extension('x', pax::record("atime", "1")) + tar_file("a", "1") + extension('x', pax::record("atime", "2")) +
                 tar_file("b", "2") + tar_end();
  EXPECT_EQ(read_all(archive, 4096, {.max_entries = 2}).error, "");
}

TEST(TarReader, GnuLongNamesAndLinks) {
  std::string target = std::string(120, 'x') + ".js";
  auto archive = extension('L', kDeepPath + '\0') + tar_file("cut", "gnu") + extension('L', "a/long-link") +
                 extension('K', target + '\0') + tar_header("cut2", ustar::kSymlink, 0, "cut") + tar_end();
  auto read = read_all(archive);
  ASSERT_EQ(read.error, "");
  ASSERT_EQ(read.entries.size(), 2u);
  EXPECT_EQ(read.entries[0].path, kDeepPath);
  EXPECT_EQ(read.data[0], "gnu");
  EXPECT_EQ(read.entries[1].path, "a/long-link");
  EXPECT_EQ(read.entries[1].link_target, target);
}

TEST(TarReader, RefusesMalformedOrUnsafeExtendedHeaders) {
  auto file = tar_file("a", "x");
  expect_refused(extension('x', "11 path=abc") + file + tar_end(), "does not end where its length says");
  expect_refused(extension('x', "99 path=abc\n") + file + tar_end(), "runs past");
  expect_refused(extension('x', "path=abc\n") + file + tar_end(), "does not start with its length");
  expect_refused(extension('x', "08 path=a\n") + file + tar_end(), "malformed length");
  expect_refused(extension('x', "7 =abc\n") + file + tar_end(), "no keyword");
  expect_refused(extension('x', "3 \n") + file + tar_end(), "no keyword");
  expect_refused(extension('x', pax::record("size", "12x")) + file + tar_end(), "whole number");
  expect_refused(extension('x', pax::record("mtime", "soon")) + file + tar_end(), "time in seconds");
  expect_refused(extension('x', pax::record("path", std::string("a\0b", 3))) + file + tar_end(), "NUL");
  expect_refused(extension('x', pax::record("GNU.sparse.size", "10")) + file + tar_end(), "sparse");
  expect_refused(extension('g', "junk") + file + tar_end(), "does not start with its length");
  expect_refused(extension('x', pax::record("path", "../../etc/passwd")) + file + tar_end(), "leaves the release");
  expect_refused(extension('x', pax::record("path", "/etc/passwd")) + file + tar_end(), "absolute path");
  expect_refused(extension('K', std::string("/etc/passwd") + '\0') + tar_header("l", ustar::kSymlink, 0, "x") + tar_end(),
                 "outside the release");
  expect_refused(extension('L', std::string(1, '\0')) + file + tar_end(), "empty GNU long name");
  expect_refused(extension('x', pax::record("path", "a")) + tar_end(), "ends right after an extended header");
  expect_refused(extension('x', pax::record("atime", "1")) + tar_end(), "ends right after an extended header");
  expect_refused(extension('g', pax::record("comment", "c")) + tar_end(), "ends right after an extended header");
  expect_refused(extension('x', pax::record("mtime", "--5")) + file + tar_end(), "time in seconds");
  expect_refused(extension('x', pax::record("mtime", "-+5")) + file + tar_end(), "time in seconds");
  expect_refused(extension('x', pax::record("mtime", "--9223372036854775808")) + file + tar_end(), "time in seconds");
  auto long_name = std::string(5000, 'n');
  auto refused = read_all(extension('x', pax::record("path", "/" + long_name)) + file + tar_end()).error;
  EXPECT_LT(refused.size(), 400u) << "a long name is shortened in messages";
  expect_refused(extension('x', pax::record("size", "600")) + tar_header("dir/", ustar::kDirectory, 0) + tar_end(),
                 "has data");
  expect_refused(tar_header("big", 'x', pax::kMaxHeaderBytes + 1) + tar_end(), "extended header of");
  expect_refused(extension('x', pax::record("path", "a")).substr(0, 600), "truncated");
  expect_refused(extension('x', pax::record("size", "5000")) + file + tar_end(), "truncated");
}

TEST(PaxRecord, CountsItsOwnLengthDigits) {
  EXPECT_EQ(pax::record("path", "a"), "9 path=a\n");
  EXPECT_EQ(pax::record("path", "ab"), "11 path=ab\n");  // 10 would make itself 11 long
  for (std::size_t n = 0; n < 1200; ++n) {
    auto text = pax::record("k", std::string(n, 'v'));
    EXPECT_EQ(std::stoul(text), text.size()) << n;
  }
}

TEST(TarReader, EnforcesLimits) {
  auto two = tar_file("a", "1") + tar_file("b", "2") + tar_end();
  EXPECT_NE(read_all(two, 4096, {.max_entries = 1}).error.find("more than 1 entries"), std::string::npos);
  EXPECT_NE(read_all(two, 4096, {.max_bytes = 1}).error.find("past 1 bytes"), std::string::npos);
  EXPECT_EQ(read_all(two, 4096, {.max_entries = 2, .max_bytes = 2}).error, "");
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

TEST(Ustar, SplitsLongPaths) {
  EXPECT_EQ(ustar::split_path("a/b")->second, "a/b");
  auto split = ustar::split_path(std::string(150, 'p') + "/" + std::string(100, 'n'));
  ASSERT_TRUE(split);
  EXPECT_EQ(split->first.size(), 150u);
  EXPECT_EQ(split->second.size(), 100u);
  EXPECT_FALSE(ustar::split_path(std::string(101, 'n')));
  EXPECT_FALSE(ustar::split_path(std::string(156, 'p') + "/n"));
}
}  // namespace
}  // namespace baton::site
