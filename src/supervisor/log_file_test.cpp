#include "base/log_file.hpp"

#include <fmt/format.h>

#include "supervisor/test_support.hpp"

namespace baton::supervisor {
namespace {
using namespace testing;
namespace fs = std::filesystem;

std::string numbered_line(int n) { return fmt::format("line {:04}\n", n); }  // 10 bytes
}  // namespace

TEST(LogFile, AppendsAndKeepsTheSizeOfAnExistingFile) {
  TempDir dir;
  auto path = dir.path() / "web.log";
  {
    auto file = LogFile::open(path, {}).value();
    ASSERT_TRUE(file->append("one\n"));
    EXPECT_EQ(file->size(), 4u);
  }
  auto reopened = LogFile::open(path, {}).value();
  EXPECT_EQ(reopened->size(), 4u);
  ASSERT_TRUE(reopened->append("two\n"));
  EXPECT_EQ(read_file(path), "one\ntwo\n");
}

TEST(LogFile, RotationKeepsTheNewestGenerations) {
  TempDir dir;
  auto path = dir.path() / "web.log";
  auto file = LogFile::open(path, LogRotation{.max_size = 30, .keep = 2}).value();
  for (int n = 0; n < 20; ++n) ASSERT_TRUE(file->append(numbered_line(n)));
  // Three lines fit in 30 bytes: 18..19 now, 15..17 in .1, 12..14 in .2, older ones deleted.
  EXPECT_EQ(read_file(path), numbered_line(18) + numbered_line(19));
  EXPECT_EQ(read_file(rotated_path(path, 1)), numbered_line(15) + numbered_line(16) + numbered_line(17));
  EXPECT_EQ(read_file(rotated_path(path, 2)), numbered_line(12) + numbered_line(13) + numbered_line(14));
  EXPECT_FALSE(fs::exists(rotated_path(path, 3)));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 3);
}

TEST(LogFile, ABigWriteIsSplitBetweenLines) {
  TempDir dir;
  auto path = dir.path() / "web.log";
  auto file = LogFile::open(path, LogRotation{.max_size = 30, .keep = 3}).value();
  std::string lines;
  for (int n = 0; n < 7; ++n) lines += numbered_line(n);
  ASSERT_TRUE(file->append(lines));
  EXPECT_EQ(read_file(path), numbered_line(6));
  EXPECT_EQ(read_file(rotated_path(path, 1)), numbered_line(3) + numbered_line(4) + numbered_line(5));
  EXPECT_EQ(read_file(rotated_path(path, 2)), numbered_line(0) + numbered_line(1) + numbered_line(2));
}

TEST(LogFile, KeepZeroTruncates) {
  TempDir dir;
  auto path = dir.path() / "web.log";
  auto file = LogFile::open(path, LogRotation{.max_size = 25, .keep = 0}).value();
  for (int n = 0; n < 5; ++n) ASSERT_TRUE(file->append(numbered_line(n)));
  EXPECT_EQ(read_file(path), numbered_line(4));
  EXPECT_FALSE(fs::exists(rotated_path(path, 1)));
}

TEST(LogFile, MaxSizeZeroNeverRotates) {
  TempDir dir;
  auto path = dir.path() / "web.log";
  auto file = LogFile::open(path, LogRotation{.max_size = 0, .keep = 2}).value();
  for (int n = 0; n < 100; ++n) ASSERT_TRUE(file->append(numbered_line(n)));
  EXPECT_EQ(file->size(), 1000u);
  EXPECT_FALSE(fs::exists(rotated_path(path, 1)));
}

TEST(LogFile, AWriteLargerThanMaxSizeGoesInWhole) {
  TempDir dir;
  auto path = dir.path() / "web.log";
  auto file = LogFile::open(path, LogRotation{.max_size = 10, .keep = 1}).value();
  ASSERT_TRUE(file->append("a\n"));
  std::string big(50, 'x');
  ASSERT_TRUE(file->append(big));
  EXPECT_EQ(read_file(path), big);
  EXPECT_EQ(read_file(rotated_path(path, 1)), "a\n");
}

TEST(LogFile, MissingDirectoryIsAClearError) {
  auto opened = LogFile::open("/nonexistent-baton-dir/web.log", {});
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error(), "cannot open log file /nonexistent-baton-dir/web.log: No such file or directory");
}

TEST(LogFile, DefaultsRotateAtTenMebibytesKeepingFive) {
  LogRotation rotation;
  EXPECT_EQ(rotation.max_size, 10u << 20);
  EXPECT_EQ(rotation.keep, 5u);
}
}  // namespace baton::supervisor
