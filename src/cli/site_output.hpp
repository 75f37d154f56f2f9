#pragma once
// What `baton site publish|rollback|ls` print, the same for a local and a remote site.
#include <chrono>
#include <string>
#include <vector>

#include "cli/site_args.hpp"
#include "site/site_store.hpp"

namespace baton::cli {
using SteadyClock = std::chrono::steady_clock;

// Prints the error and returns the exit code (1).
int site_failure(const SiteCommand& command, const std::string& what);
void print_published(const SiteCommand& command, const site::ReleaseInfo& release, SteadyClock::time_point started);
void print_rolled_back(const SiteCommand& command, const std::string& id, SteadyClock::time_point started);
// The table, or the JSON with --json.
void print_releases(const SiteCommand& command, const std::vector<site::ReleaseInfo>& releases);
}  // namespace baton::cli
