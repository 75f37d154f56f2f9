#pragma once
// The keeper's upgrade of itself: a check that the new binary is a baton-keeper that runs and
// can resume this keeper's state, then an exec into it with the state (keeper/keeper_state.hpp)
// in the environment. Once exec'd there is no way back, so the trial comes first.
#include <expected>
#include <string>
#include <vector>

#include "keeper/keeper.hpp"

namespace baton {
// The version line `PATH --version` prints, or why PATH is no keeper to exec into.
std::expected<std::string, std::string> check_keeper_binary(const std::string& path);
// Runs PATH as the exec would, with `--check-resume`: it must take the options and the state (and
// find every descriptor open), say so and exit 0, where a binary that dies at start would take
// the sockets and the daemon with it.
std::expected<void, std::string> try_resume(const std::string& path, const KeeperOptions& options,
                                            const KeeperState& state);
// Every descriptor the state names, which must cross the exec.
std::vector<int> descriptors_of(const KeeperState& state);
// Execs PATH with the options and the state. Returns only on failure, with the reason,
// having put back what it changed.
std::string reexec_keeper(const std::string& path, const KeeperOptions& options, const KeeperState& state);
}  // namespace baton
