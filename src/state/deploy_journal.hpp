#pragma once
// The deploy journal: every step is committed before its side effect, so a
// daemon restarted mid-deploy knows exactly where it stopped and can resume or
// roll back. A running deploy is also the service's deploy lock.
#include <optional>
#include <vector>

#include "state/records.hpp"
#include "state/sqlite.hpp"

namespace baton::state {
class DeployJournal {
 public:
  explicit DeployJournal(Database& db) : db_(db) {}

  // Starts a deploy (service, from_release, to_release and strategy are read;
  // the rest is assigned) with its first step, "started". Fails, naming the
  // running deploy, while another deploy of the service is running.
  Result<DeployRecord> begin(const DeployRecord& deploy);
  // Journals a step of a running deploy; returns its sequence number.
  Result<int> append_step(std::int64_t deploy_id, std::string_view name, std::string_view detail = {});
  // Ends a running deploy as done, failed or rolled_back, releasing the lock.
  Status finish(std::int64_t deploy_id, DeployStatus status, std::string_view error = {});

  Result<std::optional<DeployRecord>> get(std::int64_t deploy_id);
  Result<std::optional<DeployRecord>> running(std::string_view service);
  // Deploys a previous daemon left running, oldest first: resume or roll back each.
  Result<std::vector<DeployRecord>> unfinished();
  // A service's deploys, newest first.
  Result<std::vector<DeployRecord>> history(std::string_view service, int limit);
  Result<std::vector<DeployStep>> steps(std::int64_t deploy_id);

 private:
  Result<DeployRecord> require_running(std::int64_t deploy_id);

  Database& db_;
};

// "deploy 7 of 'web' (r3 -> r4, rolling) at step 'start_instances'", for errors and logs.
std::string describe(const DeployRecord& deploy);
}  // namespace baton::state
