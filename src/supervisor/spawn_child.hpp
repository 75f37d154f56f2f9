#pragma once
#include <sys/types.h>

#include <cstddef>

// The child side of spawn(), between fork() and execve(). In a threaded daemon the child may only
// make async-signal-safe calls: everything here was prepared by the parent (no allocation, no locks).

namespace baton::supervisor {
enum class ChildStep : int { setsid, redirect, chdir, exec, cgroup, groups, setgid, setuid };

// Sent through the close-on-exec error pipe; end of file instead means execve() succeeded.
struct ChildFailure {
  ChildStep step;
  int error;
};

struct ChildPlan {
  const char* program;
  char* const* argv;
  char* const* envp;
  const char* cwd;  // nullptr: stay in the daemon's
  int stdin_fd;     // placed at 0, 1 and 2
  int stdout_fd;
  int stderr_fd;
  int listen_fd;    // placed at 3 when >= 0
  int error_fd;
  char* listen_pid;  // the child writes its pid's digits here (LISTEN_PID=…), or nullptr
  int max_fd;        // for the fallback when close_range() is missing
  int cgroup_procs_fd;  // >= 0: the child joins that cgroup (writes its pid) before anything else
  // Another user: setgroups(), setgid() and setuid() as raw system calls, since glibc's wrappers
  // would also change the credentials of the daemon's threads, whose memory the vfork child shares.
  bool switch_user;
  uid_t uid;
  gid_t gid;
  const gid_t* groups;
  std::size_t group_count;
};

[[noreturn]] void run_child(ChildPlan plan);
}  // namespace baton::supervisor
