#pragma once
// Which configuration a starting daemon runs: `--config FILE` when given (and recorded as the
// applied file), else the file last applied with `baton apply` as it was then, else nothing;
// plus the services registered with `baton start NAME -- CMD`.
#include <expected>
#include <memory>
#include <string>

#include "app/config_applier.hpp"

namespace baton {
class StateRecorder;

struct DaemonConfig {
  ConfigSourcesState sources;
  std::shared_ptr<const Config> config;
};

// Errors are for the operator: a file that does not load, or a state file that does not read.
std::expected<DaemonConfig, std::string> load_daemon_config(const std::string& config_path, StateRecorder& state);
}  // namespace baton
