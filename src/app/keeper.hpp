#pragma once
// `baton keeper`: holds the listening sockets and runs `baton daemon` under them,
// starting it again when it dies (app/keeper.cpp).
#include "cli/command_line.hpp"

namespace baton {
int run_keeper(const cli::DaemonCommand& command);
}  // namespace baton
