// The output quoted when a deploy fails: read where a failure is already being
// handled, so it must take any log, empty ones included.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "deploy/hook_process.hpp"

namespace baton::deploy {
namespace {
std::filesystem::path write_log(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("baton-log-tail-" + std::to_string(::getpid()) + name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}
}  // namespace

TEST(LastLines, TakesTheLastLinesWithoutTheFinalNewline) {
  EXPECT_EQ(last_lines("a\nb\nc\n", 2), "b\nc");
  EXPECT_EQ(last_lines("a\nb\nc", 2), "b\nc");
  EXPECT_EQ(last_lines("a\nb\nc\n", 3), "a\nb\nc");
  EXPECT_EQ(last_lines("a\nb\nc\n", 10), "a\nb\nc");
}

TEST(LastLines, EmptyAndOneLineTextsAreFine) {
  EXPECT_EQ(last_lines("", 10), "");
  EXPECT_EQ(last_lines("\n", 10), "");
  EXPECT_EQ(last_lines("only", 1), "only");
  EXPECT_EQ(last_lines("\n\n", 1), "");
  EXPECT_EQ(last_lines("a\nb", 0), "");
}

TEST(TailOfFile, AnEmptyOrMissingLogHasNoTail) {
  auto empty = write_log("empty", "");
  EXPECT_EQ(tail_of_file(empty, 10), "");
  EXPECT_EQ(tail_of_file(empty.string() + ".missing", 10), "");
  std::filesystem::remove(empty);
}

TEST(TailOfOutput, KeepsOnlyTheLinesOfOneRelease) {
  auto log = write_log("mixed",
                       "2026-12-07T10:00:00.000Z web#0@r1 out| old hello\n"
                       "2026-12-07T10:00:01.000Z web#0@r2 err| new failure\n"
                       "2026-12-07T10:00:01.500Z web/smoke out| a hook line\n"
                       "2026-12-07T10:00:02.000Z web#1@r1 out| old again\n"
                       "2026-12-07T10:00:03.000Z web#1@r2 out| new last words\n");
  EXPECT_EQ(tail_of_output(log, "@r2", 10),
            "2026-12-07T10:00:01.000Z web#0@r2 err| new failure\n"
            "2026-12-07T10:00:03.000Z web#1@r2 out| new last words");
  EXPECT_EQ(tail_of_output(log, "@r3", 10), "");
  std::filesystem::remove(log);
}

TEST(TailOfOutput, AnEmptyLogHasNoTail) {
  auto empty = write_log("empty-output", "");
  EXPECT_EQ(tail_of_output(empty, "@r2", 10), "");
  std::filesystem::remove(empty);
}
}  // namespace baton::deploy
