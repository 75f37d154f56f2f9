#pragma once
#include "cli/site_args.hpp"

namespace baton {
// Finds the site's settings (from --config, or --root with defaults) and runs the command.
int run_site_command(const cli::SiteCommand& command);
}  // namespace baton
