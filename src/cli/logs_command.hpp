#pragma once
#include <string>

namespace baton::cli {
// `baton logs NAME [-n N] [-f]`: the last N lines of a service's log, then
// (with -f) new lines as they are written, across rotations.
int run_logs(const std::string& home, const std::string& service, unsigned lines, bool follow);
}  // namespace baton::cli
