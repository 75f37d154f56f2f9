#pragma once
// cgroup v2 for instances: where the daemon may create cgroups, one cgroup per instance with its
// memory.max and cpu.max, and the OOM kills the kernel counted in it. The daemon's instances live
// under MOUNT/DAEMON_CGROUP/baton-HOME (HOME escaped), each in NAME@RELEASE.INDEX.
#include <cstdint>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/unique_fd.hpp"

namespace baton::supervisor {
// The mount point of the cgroup2 file system in /proc/self/mountinfo text (a hybrid system has it
// beside the v1 hierarchies, e.g. /sys/fs/cgroup/unified); nullopt without one.
std::optional<std::filesystem::path> find_cgroup2_mount(std::string_view mountinfo);
// The process's cgroup v2 path, the "0::" line of /proc/self/cgroup ("/" or "/system.slice/x.service").
std::optional<std::string> unified_cgroup_path(std::string_view proc_cgroup);
// A path as one file name, the way `systemd-escape --path` writes it: "/srv/my-app" is "srv-my\x2dapp".
std::string escape_path(std::string_view path);
// The value of `key` in a flat keyed file such as memory.events ("oom_kill 3").
std::optional<std::uint64_t> keyed_value(std::string_view text, std::string_view key);
// The number of thousandths of a core `cpu_max` allows as cpu.max's "QUOTA PERIOD".
std::string cpu_max_line(std::uint32_t thousandths);

// Where this daemon creates its instances' cgroups and what it can limit there.
struct CgroupRoot {
  std::filesystem::path dir;
  bool memory = false;  // the memory controller is available to instances: memory.max works
  bool cpu = false;
  std::string missing;  // why memory or cpu is not available, for the log
};

// From the texts of /proc/self/mountinfo and /proc/self/cgroup: the daemon's own cgroup (its
// delegated cgroup under systemd) and the controllers it can hand down. No directory is created.
std::expected<CgroupRoot, std::string> find_cgroup_root(std::string_view mountinfo, std::string_view proc_cgroup,
                                                        const std::filesystem::path& home);
// The same for this process; also enables the memory and cpu controllers for the daemon's cgroup's
// children where it may. An error says why the daemon cannot create cgroups at all.
std::expected<CgroupRoot, std::string> open_cgroup_root(const std::filesystem::path& home);

struct CgroupLimits {
  std::optional<std::uint64_t> memory_max;  // bytes
  std::optional<std::uint32_t> cpu_max;     // thousandths of a core
};

// One instance's cgroup. Empty (no cgroup) until create() or existing().
class InstanceCgroup {
 public:
  // Creates the directory (or takes the one a stopped instance left), writes the limits the root
  // supports, and opens cgroup.procs for the child to join before it execs.
  static std::expected<InstanceCgroup, std::string> create(const CgroupRoot& root, std::string_view name,
                                                           const CgroupLimits& limits);
  // The cgroup an adopted instance runs in, as the previous daemon created it.
  static InstanceCgroup existing(const CgroupRoot& root, std::string_view name);

  bool empty() const { return dir_.empty(); }
  const std::filesystem::path& dir() const { return dir_; }
  int procs_fd() const { return procs_.get(); }
  void close_procs() { procs_.reset(); }
  // The kernel's OOM killer killed a process in it since create() or existing().
  bool oom_killed() const;
  // Once the instance is gone: SIGKILLs what is left in it (cgroup.kill) and removes it, then the
  // daemon's root when no other instance uses it. Best effort; a cgroup still busy is reused later.
  void remove();

 private:
  std::filesystem::path dir_;
  std::filesystem::path root_;
  UniqueFd procs_;
  std::uint64_t oom_kills_at_start_ = 0;
};
}  // namespace baton::supervisor
