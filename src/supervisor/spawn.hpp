#pragma once
// Starting one instance's process: its own session and process group, a clean signal state, only
// the file descriptors it is meant to have, output through pipes, and a clear error when the
// command cannot run at all (rather than a process that exits 127).
#include <cstdint>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/account.hpp"
#include "supervisor/command.hpp"
#include "supervisor/process_identity.hpp"
#include "base/unique_fd.hpp"

namespace baton::supervisor {
struct SpawnSpec {
  std::vector<std::string> command{};   // argv, or one command line (see build_command)
  std::string cwd{};                    // empty: the daemon's
  EnvList env{};                        // on top of the daemon's environment
  std::optional<std::uint16_t> port{};  // replaces {port} in the command
  int listen_fd = -1;                   // when >= 0: passed as fd 3 with LISTEN_FDS=1 and LISTEN_PID
  bool capture_output = true;           // false: stdout and stderr go to /dev/null
  bool command_is_line = true;          // false: a single element is argv[0], never split
  // With capture: stdout and stderr through the FIFOs PREFIX.out and PREFIX.err (output_fifo.hpp),
  // which outlive the daemon; empty: anonymous pipes.
  std::filesystem::path output_fifos{};
  // Set: the child runs as this user (its primary group unless `group` is given, and the groups it
  // is a member of), with its HOME, USER and LOGNAME unless `env` sets them. Names are resolved
  // here, before the fork; only root may switch (the daemon's own user and group need no switch).
  std::string user{};
  std::string group{};
  int cgroup_procs_fd = -1;  // >= 0: an open cgroup.procs the child joins before anything else
};

struct SpawnedProcess {
  UniqueFd pidfd;
  UniqueFd stdout_pipe;  // read ends, close-on-exec and non-blocking; empty without capture
  UniqueFd stderr_pipe;
  ProcessIdentity identity;  // its pid is also its process group and session id
};

// Blocks until the child has exec'd or failed to: a fork and an exec, well under a millisecond
// on the control thread.
std::expected<SpawnedProcess, std::string> spawn(const SpawnSpec& spec);
}  // namespace baton::supervisor
