#pragma once
// Plain rows of the state store. Stores take these in and hand them back;
// nothing here knows about SQLite.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace baton::state {
// Wall-clock milliseconds: these times are shown to operators and survive reboots.
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;
Timestamp now();

enum class ReleaseStatus { deploying, live, standby, failed, rolled_back, retired };
enum class InstanceState { starting, ready, draining, stopped };
enum class DeployStatus { running, done, failed, rolled_back };

std::string_view to_string(ReleaseStatus status);
std::string_view to_string(InstanceState state);
std::string_view to_string(DeployStatus status);
std::optional<ReleaseStatus> parse_release_status(std::string_view text);
std::optional<InstanceState> parse_instance_state(std::string_view text);
std::optional<DeployStatus> parse_deploy_status(std::string_view text);

struct ServiceRecord {
  std::string name{};
  std::string spec_json{};
  // Derived from the release whose status is live; upsert ignores it.
  std::optional<std::string> live_release_id{};
  // Kept by the store; upsert ignores them.
  Timestamp created_at{};
  Timestamp updated_at{};
};

struct ReleaseRecord {
  std::string id{};  // "r<N>", assigned by the store, never reused within a service
  std::string service{};
  std::string version{};  // the operator's label, e.g. a git sha or "v1.4.2"
  std::string spec_json{};
  std::string created_by{};
  Timestamp created_at{};  // assigned by the store
  ReleaseStatus status = ReleaseStatus::standby;
  std::string reason{};  // why it failed or was rolled back
};

// Enough to re-adopt a running process after a daemon restart: the pid alone
// may have been reused, pid + start time + boot id cannot be.
struct InstanceRecord {
  std::string service{};
  std::string release_id{};
  int index = 0;
  std::int64_t pid = 0;
  std::int64_t start_time_ticks = 0;  // /proc/<pid>/stat field 22
  std::string boot_id{};                // /proc/sys/kernel/random/boot_id
  std::string token{};                  // set in the instance's environment to prove it is ours
  int port = 0;
  InstanceState state = InstanceState::starting;
  int restarts = 0;
  Timestamp started_at{};
};

struct DeployRecord {
  std::int64_t id = 0;  // assigned by the journal, never reused
  std::string service{};
  std::optional<std::string> from_release{};  // none on a service's first deploy
  std::string to_release{};
  std::string strategy{};  // the deploy module's name for it; opaque here
  DeployStatus status = DeployStatus::running;
  std::string step{};  // the last journaled step
  Timestamp started_at{};
  Timestamp updated_at{};
  std::string error{};  // why it failed or rolled back; empty otherwise
};

// One journal entry, written before the side effect it names.
struct DeployStep {
  std::int64_t deploy_id = 0;
  int seq = 0;  // 1, 2, ... within the deploy
  std::string name{};
  std::string detail{};  // JSON the orchestrator needs to resume, e.g. the batch in flight
  Timestamp at{};
};
}  // namespace baton::state
