#pragma once
#include <string>

namespace baton::cli {
// `baton ls [NAME]`: every instance (of one service) as a table, or the daemon's JSON with --json.
int run_ls(const std::string& home, bool json, const std::string& service = {});
}  // namespace baton::cli
