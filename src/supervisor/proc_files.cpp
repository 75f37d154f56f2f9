#include "supervisor/proc_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <fmt/format.h>
#include <memory>
#include <unordered_map>
#include <vector>

#include "base/unique_fd.hpp"

namespace baton::supervisor {
namespace {
// Fields after the command name, numbered as proc(5) numbers them.
constexpr int kFirstFieldAfterName = 3;

template <typename T>
bool parse_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

std::string_view next_field(std::string_view& rest) {
  auto start = rest.find_first_not_of(' ');
  if (start == std::string_view::npos) return rest = {};
  auto end = rest.find(' ', start);
  auto field = rest.substr(start, end - start);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  return field;
}

bool assign_field(ProcStat& stat, int number, std::string_view field) {
  switch (number) {
    case 3: stat.state = field.empty() ? '?' : field[0]; return field.size() == 1;
    case 4: return parse_number(field, stat.ppid);
    case 5: return parse_number(field, stat.pgrp);
    case 14: return parse_number(field, stat.user_ticks);
    case 15: return parse_number(field, stat.system_ticks);
    case 22: return parse_number(field, stat.start_time);
    default: return true;
  }
}
}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  auto close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(close + 1);
  ProcStat stat;
  for (int number = kFirstFieldAfterName; number <= 22; ++number) {
    auto field = next_field(rest);
    if (field.empty() || !assign_field(stat, number, field)) return std::nullopt;
  }
  return stat;
}

std::optional<std::uint64_t> parse_statm_resident_pages(std::string_view text) {
  std::string_view rest = text;
  next_field(rest);
  auto field = next_field(rest);
  if (!field.empty() && field.back() == '\n') field.remove_suffix(1);
  std::uint64_t pages = 0;
  if (field.empty() || !parse_number(field, pages)) return std::nullopt;
  return pages;
}

bool environ_contains(std::string_view environ, std::string_view name, std::string_view value) {
  while (!environ.empty()) {
    auto end = environ.find('\0');
    auto entry = environ.substr(0, end);
    if (entry.size() == name.size() + 1 + value.size() && entry.starts_with(name) &&
        entry[name.size()] == '=' && entry.ends_with(value))
      return true;
    if (end == std::string_view::npos) break;
    environ.remove_prefix(end + 1);
  }
  return false;
}

std::optional<std::string> read_proc_file(pid_t pid, std::string_view name) {
  auto path = fmt::format("/proc/{}/{}", pid, name);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string text;
  char buffer[4096];
  for (;;) {
    auto n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) return text;
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

std::optional<ProcStat> read_proc_stat(pid_t pid) {
  auto text = read_proc_file(pid, "stat");
  return text ? parse_proc_stat(*text) : std::nullopt;
}

std::optional<std::uint64_t> read_rss_bytes(pid_t pid) {
  auto text = read_proc_file(pid, "statm");
  auto pages = text ? parse_statm_resident_pages(*text) : std::nullopt;
  if (!pages) return std::nullopt;
  return *pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

std::optional<ProcessUsage> read_process_usage(pid_t pid) {
  auto stat = read_proc_stat(pid);
  auto rss = read_rss_bytes(pid);
  if (!stat || !rss) return std::nullopt;
  auto ticks_per_second = static_cast<std::uint64_t>(::sysconf(_SC_CLK_TCK));
  auto ticks = stat->user_ticks + stat->system_ticks;
  return ProcessUsage{std::chrono::milliseconds(ticks * 1000 / ticks_per_second), *rss};
}

namespace {
// Calls `each(pid, stat)` for every process in /proc until it returns true; false when none did.
template <typename Each>
bool for_each_process(Each each) {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir("/proc"), ::closedir);
  if (!dir) return false;
  while (auto* entry = ::readdir(dir.get())) {
    pid_t pid = 0;
    if (!parse_number(std::string_view(entry->d_name), pid)) continue;
    auto stat = read_proc_stat(pid);
    if (stat && each(pid, *stat)) return true;
  }
  return false;
}

bool live(const ProcStat& stat) { return stat.state != 'Z' && stat.state != 'X'; }
}  // namespace

std::optional<std::uint64_t> parse_smaps_rollup_pss(std::string_view text) {
  constexpr std::string_view kPss = "\nPss:";
  auto at = text.find(kPss);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(at + kPss.size());
  auto kilobytes_text = next_field(rest);
  std::uint64_t kilobytes = 0;
  if (!parse_number(kilobytes_text, kilobytes) || next_field(rest).substr(0, 2) != "kB") return std::nullopt;
  return kilobytes * 1024;
}

namespace {
using Clock = std::chrono::steady_clock;
constexpr auto kProcessTableMaxAge = std::chrono::milliseconds(200);

// The live members of each process group, from one pass over /proc.
struct ProcessTable {
  Clock::time_point read_at{};
  std::unordered_map<pid_t, std::vector<pid_t>> groups;
};

const ProcessTable& process_table() {
  thread_local ProcessTable table;
  auto now = Clock::now();
  if (table.read_at != Clock::time_point{} && now - table.read_at < kProcessTableMaxAge) return table;
  table.groups.clear();
  for_each_process([&](pid_t pid, const ProcStat& stat) {
    if (live(stat)) table.groups[stat.pgrp].push_back(pid);
    return false;
  });
  table.read_at = now;
  return table;
}

std::optional<std::uint64_t> read_memory_bytes(pid_t pid) {
  if (auto text = read_proc_file(pid, "smaps_rollup"))
    if (auto pss = parse_smaps_rollup_pss(*text)) return pss;
  return read_rss_bytes(pid);
}
}  // namespace

std::optional<std::uint64_t> read_group_memory_bytes(pid_t pgid) {
  const auto& groups = process_table().groups;
  auto found = groups.find(pgid);
  if (found == groups.end()) return std::nullopt;
  std::optional<std::uint64_t> total;
  for (pid_t pid : found->second)
    if (auto bytes = read_memory_bytes(pid)) total = total.value_or(0) + *bytes;
  return total;
}

bool process_group_alive(pid_t pgid) {
  // The cheap answer first: no member at all, zombies included.
  if (::kill(-pgid, 0) != 0 && errno == ESRCH) return false;
  if (::access("/proc/self/stat", R_OK) != 0) return true;  // no /proc: assume the worst
  return for_each_process([&](pid_t, const ProcStat& stat) { return stat.pgrp == pgid && live(stat); });
}
}  // namespace baton::supervisor
