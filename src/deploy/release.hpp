#pragma once
// A release: one immutable version of a service (what to run, how to check it,
// how to deploy it) and where it stands in the service's history.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "net/address.hpp"
#include "supervisor/command.hpp"

namespace baton::deploy {
inline constexpr std::string_view kSecretMask = "***";

struct ReleaseSpec {
  std::vector<std::string> command;  // empty: an external release (targets)
  bool command_is_line = true;
  std::string cwd;
  supervisor::EnvList env;
  std::vector<std::string> secret_env;  // names in env whose values are shown as kSecretMask only
  unsigned instances = 1;
  std::vector<Address> targets;  // external releases: addresses someone else runs
  // External targets from the config without a health check: routed before their first check,
  // as they always were; targets given to a deploy are health-gated like instances.
  bool trust_targets = false;
  HealthCheck health;
  DeployConfig deploy;
  // A worker's release (no listen: takes no requests). From the service's config, never stored: a
  // service's releases all share it.
  bool worker = false;

  bool external() const { return command.empty(); }
  bool is_secret(std::string_view name) const;
  // env with every secret's value replaced by kSecretMask: what may be shown, logged or stored.
  supervisor::EnvList shown_env() const;
  unsigned size() const { return external() ? static_cast<unsigned>(targets.size()) : instances; }
};

enum class ReleaseStatus { deploying, live, standby, failed, rolled_back, retired };
std::string_view to_string(ReleaseStatus status);
std::optional<ReleaseStatus> parse_release_status(std::string_view text);

struct Release {
  std::string id;       // r1, r2, ... never reused within a service
  std::string version;  // the operator's label, or a timestamp
  ReleaseSpec spec;
  ReleaseStatus status = ReleaseStatus::deploying;
  std::int64_t created_ms = 0;  // unix time
  std::string created_by;
  std::string reason;  // why it failed or was rolled back
};

// The spec a service's configuration describes (its first release, or the base of a deploy).
ReleaseSpec spec_from_config(const ServiceConfig& service);
}  // namespace baton::deploy
