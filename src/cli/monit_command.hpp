#pragma once
#include "cli/command_line.hpp"

namespace baton::cli {
// `baton monit`: every service and instance, redrawn each second until `q` or Ctrl-C.
int run_monit(const MonitCommand& command);
}  // namespace baton::cli
