#pragma once
// The daemon's one state file: $BATON_HOME/state.db.
#include <filesystem>
#include <string_view>

#include "state/sqlite.hpp"

namespace baton::state {
inline constexpr std::string_view kStateFileName = "state.db";

// Opens (creating it readable by the owner only: it holds instance tokens) and
// migrates home/state.db. The directory must exist. A corrupt, foreign or newer
// file is an error and is left untouched.
Result<Database> open_state_db(const std::filesystem::path& home, OpenOptions options = {});
}  // namespace baton::state
