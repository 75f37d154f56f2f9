#pragma once
// The daemon's memory across restarts, in $BATON_HOME/state.db: services, every
// release with its full spec and status, the identity of every running instance
// (so a restarted daemon adopts them instead of starting duplicates) and the
// deploy journal (so it knows which deploy it interrupted). Control plane only.
#include <cstdint>
#include <expected>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "deploy/journal.hpp"
#include "state/config_store.hpp"
#include "state/deploy_journal.hpp"
#include "state/instance_store.hpp"
#include "state/release_store.hpp"
#include "state/service_store.hpp"
#include "app/release_secrets.hpp"
#include "supervisor/instance.hpp"

namespace baton {
// Recorded instances by "service@release".
using RecordedInstances = std::map<std::string, std::vector<supervisor::AdoptedInstance>>;

class StateRecorder final : public deploy::Journal {
 public:
  // A corrupt, foreign or newer-schema file is an error naming it; it is left as it was.
  static std::expected<std::unique_ptr<StateRecorder>, std::string> open(const std::filesystem::path& home);

  // Ends the deploys a previous daemon left running: they are rolled back (the release that
  // was live keeps or regains the traffic). Returns one line per deploy, for the log.
  std::expected<std::vector<std::string>, std::string> end_interrupted_deploys();
  // Records the service and returns the releases a previous daemon kept of it, oldest first.
  std::expected<std::vector<deploy::Release>, std::string> load_service(const std::string& name,
                                                                        const deploy::ReleaseSpec& config_spec);
  // Forgets services that are no longer configured (their release ids are never reused).
  void forget_services_except(const std::vector<std::string>& keep);
  void forget_service(const std::string& name);
  // The applied config file and the registered services.
  state::ConfigStore& config_store() { return config_; }
  std::expected<RecordedInstances, std::string> recorded_instances();
  void save_instances(const std::string& service, const std::string& release,
                      const std::vector<supervisor::AdoptedInstance>& instances);

  void release_changed(const std::string& service, const deploy::Release& release) override;
  void release_forgotten(const std::string& service, const std::string& release) override;
  std::expected<std::int64_t, std::string> deploy_started(const deploy::DeployRun& run,
                                                          const std::string& from) override;
  void deploy_event(std::int64_t deploy, const deploy::DeployEvent& event) override;
  void deploy_finished(std::int64_t deploy, bool ok, const std::string& reason) override;

 private:
  StateRecorder(state::Database db, const std::filesystem::path& home);

  state::Database db_;
  state::ServiceStore services_{db_};
  state::ReleaseStore releases_{db_};
  state::InstanceStore instances_{db_};
  state::DeployJournal journal_{db_};
  state::ConfigStore config_{db_};
  ReleaseSecrets secrets_;
};
}  // namespace baton
