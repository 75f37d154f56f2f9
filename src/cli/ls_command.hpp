#pragma once
#include <string>

namespace baton::cli {
// `baton ls`: every instance as a table, or the daemon's JSON with --json.
int run_ls(const std::string& home, bool json);
}  // namespace baton::cli
