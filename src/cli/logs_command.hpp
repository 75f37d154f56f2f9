#pragma once
#include "cli/command_line.hpp"

namespace baton::cli {
// `baton logs [NAME] [-n N] [-f] [--out | --err] [--json] [--since WHEN]`: the last N lines of a
// service's log files (of every service without a name), merged by time, then (with -f) new lines
// as they are written, across rotations and new instances' files.
int run_logs(const LogsCommand& command);
// `baton flush [NAME]`: the daemon empties the files; its instances keep logging into them.
int run_flush(const LogsCommand& command);
}  // namespace baton::cli
