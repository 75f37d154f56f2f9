#pragma once
// What the supervisor reads from /proc: parsers are pure (tested on sample text), readers are thin.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace baton::supervisor {
// The fields of /proc/PID/stat the supervisor uses.
struct ProcStat {
  char state = '?';  // 'R', 'S', 'Z' (exited, not yet reaped), …
  pid_t ppid = 0;
  pid_t pgrp = 0;
  std::uint64_t user_ticks = 0;    // field 14
  std::uint64_t system_ticks = 0;  // field 15
  std::uint64_t start_time = 0;    // field 22: clock ticks after boot, fixed for the process's life
};

// The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
std::optional<ProcStat> parse_proc_stat(std::string_view text);
// Resident pages: the second field of /proc/PID/statm.
std::optional<std::uint64_t> parse_statm_resident_pages(std::string_view text);
// Whether the NUL-separated /proc/PID/environ text holds `name=value` exactly.
bool environ_contains(std::string_view environ, std::string_view name, std::string_view value);

std::optional<std::string> read_proc_file(pid_t pid, std::string_view name);
std::optional<ProcStat> read_proc_stat(pid_t pid);

struct ProcessUsage {
  std::chrono::milliseconds cpu_time{0};  // user + system
  std::uint64_t rss_bytes = 0;
};
std::optional<ProcessUsage> read_process_usage(pid_t pid);
std::optional<std::uint64_t> read_rss_bytes(pid_t pid);
// "Pss:" of /proc/PID/smaps_rollup in bytes: the process's share of its resident pages (a page
// shared by N processes counts 1/N to each).
std::optional<std::uint64_t> parse_smaps_rollup_pss(std::string_view text);
// The memory of every live process of the group (an app's forked workers and helpers count with its
// main process), as proportional set size, so pages they share after a fork count once in the sum;
// the resident size where the kernel has no smaps_rollup. nullopt when no process of it is left.
// The process table is read at most once per 200 ms on a thread, however many groups are asked for.
std::optional<std::uint64_t> read_group_memory_bytes(pid_t pgid);

// Whether any process of the group is still running. Zombies do not count: they hold no port or
// file, and their reaper may be an init that is slow to reap (or, in some containers, never does).
bool process_group_alive(pid_t pgid);
}  // namespace baton::supervisor
