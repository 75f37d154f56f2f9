#pragma once
// `baton keeper`: runs baton-keeper (src/keeper/), installed beside baton, in this process,
// with this baton as the binary its daemons run.
#include <string>

#include "cli/command_line.hpp"

namespace baton {
// Returns only when baton-keeper cannot be run: 1, with the reason printed.
int run_keeper(const cli::DaemonCommand& command);
// The baton-keeper beside the running baton, "" when /proc/self/exe cannot be read.
std::string keeper_beside_self();
}  // namespace baton
