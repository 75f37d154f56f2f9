#pragma once
// What applying a new configuration changes, worked out before anything changes: pure, so
// `baton apply` can refuse or report a plan without touching the running daemon.
#include <string>
#include <vector>

#include "config/config.hpp"

namespace baton {
struct ConfigPlan {
  std::vector<std::string> added;       // services to start
  std::vector<std::string> removed;     // services to drain and stop
  std::vector<std::string> redeployed;  // what their instances run changed: a deploy
  std::vector<std::string> rescaled;    // only the instance count changed: scale in place
  std::vector<std::string> rerouted;    // routing or proxy settings only: the next route table
  std::vector<std::string> sites_changed;  // added, removed or changed sites
  // Settings the running proxy cannot change: they take effect at the daemon's next start.
  std::vector<std::string> restart_required;
  bool log_level_changed = false;
  bool logs_changed = false;  // [logs]: applied at once

  bool empty() const;
};

ConfigPlan plan_changes(const Config& from, const Config& to);
}  // namespace baton
