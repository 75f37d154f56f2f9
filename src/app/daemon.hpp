#pragma once
#include "cli/command_line.hpp"

namespace baton {
// Runs until SIGTERM, SIGINT or SIGQUIT (the others: app/daemon_signals.hpp); returns the process exit code.
int run_daemon(const cli::DaemonCommand& command);
}
