#pragma once
// `baton site publish|rollback|ls NAME ... --remote URL --token FILE`: the same commands through
// a daemon's admin listener. A publish sends the build as a ustar archive, streamed.
#include "cli/site_args.hpp"

namespace baton::cli {
// Exit code: 0 done, 1 refused or failed (the daemon's message), 2 bad usage, 3 no daemon answers.
int run_remote_site(const SiteCommand& command);
}  // namespace baton::cli
