#pragma once
// The deploy orchestrator: one deploy per service at a time, each a coroutine
// that moves the service from its live release to a new one by a strategy,
// health-gated, and rolls back on its own when the new release fails.
// Runs on the control plane's executor.
#include <expected>
#include <functional>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "deploy/deploy_run.hpp"
#include "deploy/deploy_stats.hpp"
#include "deploy/journal.hpp"
#include "deploy/release.hpp"
#include "deploy/runtime.hpp"

namespace baton::deploy {
// Releases a service's history keeps: the live one, a standby and the newest others up to this many.
// Older ones are forgotten, so a service deployed many times a day does not grow the daemon.
inline constexpr std::size_t kKeptReleases = 20;

struct DeployRequest {
  std::string service;
  ReleaseSpec spec;
  std::string version;  // empty: a timestamp
  std::optional<Strategy> strategy;  // empty: the spec's
  std::string who;
  // A directory to copy as the release's code (the daemon's composition root does the copy and
  // makes it the cwd before the deploy starts); empty: the spec's cwd as it is.
  std::string from;
  // An archive uploaded to the daemon beforehand (its id), taken as `from` is.
  std::string artifact;
  // Run the spec's build hook in the release directory first (a fresh --from copy only: a
  // rollback, a restart or a scale runs code that was built already).
  bool build = false;
};

// Scaling changes the live release's instance count in place (no new release): new instances
// join as they pass their checks, leaving ones drain first. 0 stops the service ("stop").
struct ScaleRequest {
  std::string service;
  unsigned instances = 1;
  std::string kind = "scale";  // scale, stop or start: how progress and the journal name it
  std::string who;
};

struct RollbackRequest {
  std::string service;
  std::string to;  // empty: the release live before the current one
  std::string who;
};

class Deployer {
 public:
  // `journal` (may be null) outlives the deployer.
  Deployer(asio::any_io_executor executor, Runtime& runtime, Journal* journal = nullptr);
  ~Deployer();

  // Removes a release's code directory (its cwd) once its build failed; set by the composition
  // root, which owns where app releases live. Empty: nothing is removed.
  std::function<void(const std::string& service, const std::string& dir)> discard_code;

  // The service's history as a previous daemon left it (may be empty, oldest first) and its spec
  // from the config. Starts the live release (or a first one from the config) and routes traffic
  // to it. A release the previous daemon was deploying is marked failed, a warm standby retired.
  awaitable<std::expected<void, std::string>> add_service(const std::string& name, const ReleaseSpec& config_spec,
                                                          std::vector<Release> history);
  // A service leaving the config drains before remove_service. From this call on it takes no
  // deploy, rollback, scale or pause: a run holds the service and must not outlive it. None runs.
  void begin_removal(const std::string& name);
  // By value: a coroutine outlives a temporary argument.
  awaitable<void> remove_service(std::string name);

  std::expected<std::shared_ptr<DeployRun>, std::string> deploy(DeployRequest request);
  std::expected<std::shared_ptr<DeployRun>, std::string> rollback(RollbackRequest request);
  std::expected<std::shared_ptr<DeployRun>, std::string> scale(ScaleRequest request);

  bool contains(const std::string& service) const { return services_.contains(service); }
  std::vector<std::string> service_names() const;
  std::string standby(const std::string& service) const;
  const std::deque<Release>* releases(const std::string& service) const;
  const Release* live(const std::string& service) const;
  std::shared_ptr<DeployRun> running(const std::string& service) const;
  std::expected<void, std::string> pause(const std::string& service, bool paused);
  // promote or abort the canary running on `service`.
  std::expected<void, std::string> steer(const std::string& service, OperatorCommand command);
  // Every run that has ended, by service, kind, strategy and outcome.
  const DeployStats& stats() const { return stats_; }

 private:
  struct Service;
  class Run;

  Release& add_release(Service& service, ReleaseSpec spec, std::string version, std::string who);
  Release* find_release(Service& service, const std::string& id);
  void set_status(Service& service, Release& release, ReleaseStatus status, std::string reason = {});
  void record(Service& service, const Release& release);
  void arm_standby_expiry(const std::string& name, Service& service);
  std::expected<void, std::string> check_idle(const Service& service) const;
  std::expected<void, std::string> journal_start(Service& service, DeployRun& run);
  // After a run has ended (never while one runs: a run holds references to releases).
  void forget_old_releases(const std::string& name);

  asio::any_io_executor executor_;
  Runtime& runtime_;
  Journal* journal_;
  std::map<std::string, std::unique_ptr<Service>> services_;
  DeployStats stats_;
};
}  // namespace baton::deploy
