#pragma once
#include <string>

namespace baton {
// `baton upgrade --binary PATH`: 0 once the new binary serves, 1 with the reason otherwise.
int run_upgrade(const std::string& home, const std::string& binary);
// `baton upgrade --keeper [--binary PATH]`: 0 once the keeper runs PATH (default: the
// baton-keeper beside baton), 1 with the reason otherwise, the keeper before still running.
int run_keeper_upgrade(const std::string& home, const std::string& binary);
}  // namespace baton
