#pragma once
#include "cli/command_line.hpp"

namespace baton {
// Runs until SIGTERM or SIGINT (SIGHUP is ignored); returns the process exit code.
int run_daemon(const cli::DaemonCommand& command);
}
