#include "supervisor/proc_files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace baton::supervisor {
namespace {
constexpr std::string_view kStat =
    "4242 (my (odd) app) S 1 4242 4242 0 -1 4194560 300 0 0 0 17 5 0 0 20 0 1 0 987654 8192 100 "
    "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
}  // namespace

TEST(ProcStat, ParsesFieldsAfterANameWithSpacesAndParentheses) {
  auto stat = parse_proc_stat(kStat).value();
  EXPECT_EQ(stat.state, 'S');
  EXPECT_EQ(stat.ppid, 1);
  EXPECT_EQ(stat.pgrp, 4242);
  EXPECT_EQ(stat.user_ticks, 17u);
  EXPECT_EQ(stat.system_ticks, 5u);
  EXPECT_EQ(stat.start_time, 987654u);
}

TEST(ProcStat, RejectsTruncatedOrGarbage) {
  EXPECT_FALSE(parse_proc_stat(""));
  EXPECT_FALSE(parse_proc_stat("12 (x) S 1 2"));
  EXPECT_FALSE(parse_proc_stat("12 x S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20"));
  EXPECT_FALSE(parse_proc_stat("12 (x) S one 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20"));
}

TEST(ProcStat, ReadsOwnProcess) {
  auto stat = read_proc_stat(::getpid()).value();
  EXPECT_EQ(stat.pgrp, ::getpgrp());
  EXPECT_GT(stat.start_time, 0u);
}

TEST(Statm, ResidentPagesIsTheSecondField) {
  EXPECT_EQ(parse_statm_resident_pages("1000 250 30 4 0 100 0\n"), 250u);
  EXPECT_FALSE(parse_statm_resident_pages("1000"));
  EXPECT_GT(read_rss_bytes(::getpid()).value(), 0u);
}

TEST(Environ, MatchesWholeEntriesOnly) {
  std::string environ("A=1\0TOKEN=abc\0B=\0", 17);
  EXPECT_TRUE(environ_contains(environ, "TOKEN", "abc"));
  EXPECT_TRUE(environ_contains(environ, "B", ""));
  EXPECT_FALSE(environ_contains(environ, "TOKEN", "ab"));
  EXPECT_FALSE(environ_contains(environ, "TOKE", "N=abc"));
  EXPECT_FALSE(environ_contains(environ, "OKEN", "abc"));
  EXPECT_FALSE(environ_contains("", "A", "1"));
}

TEST(ProcessGroup, OwnGroupIsAliveAndAnUnusedOneIsNot) {
  EXPECT_TRUE(process_group_alive(::getpgrp()));
  EXPECT_FALSE(process_group_alive(0x3ffffff));  // above any pid_max
}

TEST(ProcessUsage, ReadsOwnProcess) {
  auto usage = read_process_usage(::getpid()).value();
  EXPECT_GT(usage.rss_bytes, 0u);
}
TEST(SmapsRollup, PssIsTheProportionalShareInBytes) {
  std::string_view text =
      "55d0c8a4c000-7ffd5b1fe000 ---p 00000000 00:00 0                          [rollup]\n"
      "Rss:                5120 kB\nPss:                1234 kB\nPss_Anon:            600 kB\n";
  EXPECT_EQ(parse_smaps_rollup_pss(text), 1234u * 1024);
  EXPECT_FALSE(parse_smaps_rollup_pss("Rss: 5120 kB\n"));
  EXPECT_FALSE(parse_smaps_rollup_pss("x\nPss: many kB\n"));
  EXPECT_FALSE(parse_smaps_rollup_pss("x\nPss: 12 pages\n"));
}

TEST(GroupMemory, CountsTheOwnGroupAndNothingForAnUnusedOne) {
  auto own = read_group_memory_bytes(::getpgrp());
  ASSERT_TRUE(own);
  EXPECT_GT(*own, 0u);
  EXPECT_FALSE(read_group_memory_bytes(0x3ffffff));
}
}  // namespace baton::supervisor
