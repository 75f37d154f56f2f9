#pragma once
// Internal to the deployer: a service's releases and its deploy in progress,
// and the coroutine that carries one deploy out.
#include <deque>

#include "deploy/deployer.hpp"
#include "deploy/strategy.hpp"

namespace baton::deploy {
struct Deployer::Service {
  std::string name;
  ReleaseSpec config_spec;
  std::deque<Release> releases;  // oldest first; a deque keeps references stable
  std::uint64_t next_id = 1;
  std::string live;
  std::string standby;  // blue-green: the previous live release, running, no traffic
  std::shared_ptr<DeployRun> running;
  bool removing = false;  // between begin_removal and remove_service
  std::unique_ptr<asio::steady_timer> standby_timer;
};

// One deploy: moves `service` to release `target_id` by `strategy`.
class Deployer::Run {
 public:
  Run(Deployer& deployer, Service& service, std::shared_ptr<DeployRun> progress, std::string target_id,
      Strategy strategy);
  // Carries the deploy out and always finishes `progress`.
  awaitable<void> execute();
  bool build = false;  // run the build hook first (DeployRequest::build)
  // Rollback to a warm standby: one traffic switch, then the current release drains.
  awaitable<void> switch_to_standby();
  // The live release to `count` instances, in place (scale, stop, start).
  awaitable<void> rescale(unsigned count);
  // Where a run's coroutine ends. One that threw (its steps report errors as values, so this is
  // a bug or an exhausted resource) is recovered from: traffic goes back to the live release,
  // whole and unpaused, with its instances running, the new release's instances stop, and the
  // run ends failed, so the service is not left locked nor any client following it waiting.
  static void ended(const std::shared_ptr<Run>& run, std::exception_ptr error);

 private:
  using Result = std::expected<void, std::string>;
  // What the strategy starts from.
  strategy::Plan plan();
  // Runs the strategy to its Finish.
  awaitable<Result> drive(strategy::Strategy& machine);
  // One command; the event it completes with, or nullopt when it took effect at once.
  awaitable<std::optional<strategy::Event>> carry_out(const strategy::Command& command);
  // The operator's promote or abort, if one comes before `deadline`.
  awaitable<std::optional<OperatorCommand>> steering_until(strategy::Clock::time_point deadline);
  // What `release` served between two readings of the counters.
  static metrics::TrafficSnapshot window_of(const std::map<std::string, metrics::TrafficSnapshot>& before,
                                            const std::map<std::string, metrics::TrafficSnapshot>& after,
                                            const std::string& release);
  // A release the strategy named; a strategy naming an unknown one is a bug (it throws).
  Release& known_release(const std::string& id);
  awaitable<Result> start_and_check(unsigned count, unsigned from);
  // Instances [from, to) of `release` pass their checks; fails on deploy_timeout or a crash loop.
  awaitable<Result> wait_healthy(const std::string& release, unsigned from, unsigned to);
  awaitable<void> wait_release_healthy(const std::string& release, unsigned count) {
    co_await wait_healthy(release, 0, count);
  }
  awaitable<Result> hook(std::string_view name, const HookCommand& command, bool with_targets);
  awaitable<void> drain_and_stop(const std::string& release, const std::vector<Address>& addresses, unsigned keep);
  awaitable<void> undo_new_release();
  std::vector<Address> addresses_of(const std::string& release, unsigned from = 0) const;
  std::string failure_report(std::string reason) const;
  void step(std::string message);
  void succeed();
  void fail(const std::string& reason);
  // Ends a run that changed no release's status (scale).
  void end_in_place(bool ok, std::string message);
  awaitable<void> recover(std::string reason);
  void give_up(const std::string& reason);
  // A deploy or rollback (it moves the service to another release); not a scale, stop or start.
  bool replaces_release() const;
  Release& target();
  Release* previous();

  Deployer& deployer_;
  Service& service_;
  std::shared_ptr<DeployRun> progress_;
  std::string target_id_;
  std::string previous_id_;
  Strategy strategy_;
  unsigned last_ready_reported_ = ~0u;
  std::optional<strategy::Clock::time_point> window_closed_at_;  // until the next route is published
};
}  // namespace baton::deploy
