#pragma once
// baton-keeper: holds the listening sockets and runs `baton daemon` under them, starting
// it again when it dies (keeper/keeper.cpp). A binary of its own, without Asio, SQLite or a
// logger, so it stays small: it runs for as long as the service does.
#include <string>

#include "keeper/keeper_state.hpp"

namespace baton {
struct KeeperOptions {
  std::string home;
  std::string config_path;  // "" : the daemon runs the config last applied
  std::string log_level;    // "" : the config's
  std::string daemon_binary;
};

// One "[keeper] key=value" line on stderr: the keeper's whole log.
void keeper_say(const std::string& line);

// Runs until the keeper is asked to stop; the exit code. `resumed` is the state of a keeper
// that re-executed itself into this binary, nullptr for a fresh start.
int run_keeper(const KeeperOptions& options, const KeeperState* resumed);
}  // namespace baton
