#pragma once
// `baton site publish|rollback|ls`: work on the site's root directly; no daemon needed.
#include <string>

#include "cli/site_args.hpp"

namespace baton::cli {
// Where the site lives and how it is published, from the config or the command line.
struct SiteSettings {
  std::string root;
  unsigned keep = 5;
  bool require_index = true;
};

// Exit code: 0 done, 1 the operation failed (the message says why; nothing changed).
int run_site(const SiteCommand& command, const SiteSettings& settings);
}  // namespace baton::cli
