// The steps every strategy is made of: start and health-gate instances, run
// hooks, drain and stop, and the bookkeeping of success and failure.
#include <fmt/format.h>

#include "base/log.hpp"
#include "deploy/deployer_service.hpp"

namespace baton::deploy {
namespace {
// A new instance that stops this many times before it ever passes its checks fails the deploy
// at once, instead of waiting for deploy_timeout.
constexpr unsigned kMaxExitsBeforeHealthy = 3;
// How often health is re-read when nothing notifies (exits before readiness are polled).
constexpr auto kHealthPoll = std::chrono::milliseconds(50);
}  // namespace

Deployer::Run::Run(Deployer& deployer, Service& service, std::shared_ptr<DeployRun> progress, std::string target_id,
                   Strategy strategy)
    : deployer_(deployer),
      service_(service),
      progress_(std::move(progress)),
      target_id_(std::move(target_id)),
      previous_id_(service.live),
      strategy_(strategy) {}

Release& Deployer::Run::target() { return *deployer_.find_release(service_, target_id_); }

Release* Deployer::Run::previous() { return deployer_.find_release(service_, previous_id_); }

void Deployer::Run::step(std::string message) {
  log::info("event=deploy_step service={} release={} step=\"{}\"", service_.name, target_id_, message);
  progress_->add(DeployEvent{.kind = "step", .message = std::move(message)});
}

std::vector<Address> Deployer::Run::addresses_of(const std::string& release, unsigned from) const {
  std::vector<Address> out;
  for (const auto& instance : deployer_.runtime_.instances(service_.name, release))
    if (instance.index >= from && !(instance.address.kind == Address::Kind::tcp && instance.address.port == 0))
      out.push_back(instance.address);  // a worker's instances have no address
  return out;
}

awaitable<Deployer::Run::Result> Deployer::Run::start_and_check(unsigned count, unsigned from) {
  auto started = co_await deployer_.runtime_.run_instances(service_.name, target(), count);
  if (!started) co_return std::unexpected("cannot start " + target_id_ + ": " + started.error());
  auto healthy = co_await wait_healthy(target_id_, from, count);
  co_return healthy;
}

awaitable<Deployer::Run::Result> Deployer::Run::wait_healthy(const std::string& release, unsigned from,
                                                             unsigned to) {
  auto& runtime = deployer_.runtime_;
  auto timeout = target().spec.deploy.deploy_timeout;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    unsigned ready = 0;
    std::string last_health;
    for (const auto& instance : runtime.instances(service_.name, release)) {
      if (instance.index < from || instance.index >= to) continue;
      if (instance.healthy) {
        ++ready;
        continue;
      }
      if (!instance.health.empty()) last_health = instance.health;
      if (instance.given_up)
        co_return std::unexpected(fmt::format("instance #{} stopped before it was healthy and is not restarted ({})",
                                              instance.index, instance.problem));
      if (instance.crash_loop || instance.exits >= kMaxExitsBeforeHealthy)
        co_return std::unexpected(fmt::format("instance #{} keeps exiting before it is healthy ({})", instance.index,
                                              instance.problem.empty() ? "no exit status" : instance.problem));
    }
    unsigned total = to - from;
    unsigned all_ready = ready + from;
    if (release == target_id_ && all_ready != last_ready_reported_) {
      last_ready_reported_ = all_ready;
      progress_->add(DeployEvent{.kind = "instances",
                                 .message = fmt::format("{}/{} instances of {} healthy", all_ready, to, target_id_),
                                 .ready = all_ready,
                                 .total = target().spec.size()});
    }
    if (ready == total) co_return Result{};
    if (std::chrono::steady_clock::now() >= deadline)
      co_return std::unexpected(fmt::format("not healthy within {} ms (last check: {})", timeout.count(),
                                            last_health.empty() ? "none finished" : last_health));
    co_await runtime.wait_change(std::min(deadline, std::chrono::steady_clock::now() + kHealthPoll));
  }
}

awaitable<Deployer::Run::Result> Deployer::Run::hook(std::string_view name, const HookCommand& command,
                                                     bool with_targets) {
  if (command.empty()) co_return Result{};
  step(fmt::format("running the {} hook", name));
  supervisor::EnvList extra;
  if (with_targets) {
    std::string targets;
    for (const auto& address : addresses_of(target_id_)) targets += (targets.empty() ? "" : ",") + address.text();
    extra.emplace_back("BATON_TARGETS", targets);
  }
  auto outcome = co_await deployer_.runtime_.run_hook(service_.name, target(), name, command, std::move(extra));
  // A build's output is worth seeing when it passed too (what npm installed, what pip resolved).
  bool show_output = name == "build" && outcome.ok && !outcome.log_tail.empty();
  progress_->add(DeployEvent{.kind = "hook", .message = fmt::format("{} hook: {}{}{}", name, outcome.summary,
                                                                    show_output ? "\n" : "",
                                                                    show_output ? outcome.log_tail : "")});
  if (outcome.ok) co_return Result{};
  co_return std::unexpected(fmt::format("the {} hook failed: {}{}{}", name, outcome.summary,
                                        outcome.log_tail.empty() ? "" : "\n", outcome.log_tail));
}

awaitable<void> Deployer::Run::drain_and_stop(const std::string& release, const std::vector<Address>& addresses,
                                              unsigned keep) {
  auto timeout = target().spec.deploy.drain_timeout;
  if (auto* r = deployer_.find_release(service_, release)) timeout = r->spec.deploy.drain_timeout;
  auto report = co_await deployer_.runtime_.drain(addresses, timeout);
  progress_->add(DeployEvent{.kind = "drained",
                             .message = fmt::format("{} instance(s) of {} drained: {} finished, {} cut",
                                                    addresses.size(), release, report.drained, report.cut),
                             .drained = report.drained,
                             .cut = report.cut});
  co_await deployer_.runtime_.stop_instances(service_.name, release, keep);
}

// The new release failed: it stops taking traffic (if it had any), drains and stops.
awaitable<void> Deployer::Run::undo_new_release() {
  auto split = deployer_.runtime_.traffic(service_.name);
  bool had_traffic = split.releases.erase(target_id_) > 0;
  if (had_traffic) deployer_.runtime_.set_traffic(service_.name, split);
  auto addresses = addresses_of(target_id_);
  if (had_traffic) co_await deployer_.runtime_.drain(addresses, target().spec.deploy.drain_timeout);
  co_await deployer_.runtime_.stop_instances(service_.name, target_id_, 0);
}

// Runs where a failure is being handled, even in recovery: reading the log must
// not be a second failure.
std::string Deployer::Run::failure_report(std::string reason) const {
  std::string tail;
  try {
    tail = deployer_.runtime_.log_tail(service_.name, target_id_);
  } catch (...) {
    log::warn("event=log_tail_failed service={} error=\"{}\"", service_.name, log::describe(std::current_exception()));
  }
  if (!tail.empty()) reason += "\nlast output of " + target_id_ + ":\n" + tail;
  return reason;
}

void Deployer::Run::succeed() {
  auto& release = target();
  deployer_.set_status(service_, release, ReleaseStatus::live);
  service_.live = target_id_;
  progress_->add(DeployEvent{.kind = "done",
                             .message = fmt::format("{} ({}) is live", target_id_, release.version)});
  log::info("event=deploy_done service={} release={} elapsed_ms={}", service_.name, target_id_,
            progress_->elapsed().count());
  service_.running.reset();
  progress_->finish(true, {});
}

void Deployer::Run::fail(const std::string& reason) {
  auto report = failure_report(reason);
  auto status = progress_->kind() == "rollback" ? ReleaseStatus::retired : ReleaseStatus::failed;
  deployer_.set_status(service_, target(), status, reason);
  progress_->add(DeployEvent{.kind = "failed", .message = report});
  log::warn("event=deploy_failed service={} release={} reason=\"{}\"", service_.name, target_id_, reason);
  service_.running.reset();
  progress_->finish(false, report);
}

void Deployer::Run::ended(const std::shared_ptr<Run>& run, std::exception_ptr error) {
  if (!error) return;
  auto what = log::describe(error);
  log::error("event=deploy_threw service={} release={} error=\"{}\"", run->service_.name, run->target_id_, what);
  if (run->progress_->finished()) return;
  asio::co_spawn(run->deployer_.executor_, run->recover(what), [run, what](std::exception_ptr again) {
    if (!again) return;
    log::error("event=deploy_recovery_threw service={} error=\"{}\"", run->service_.name, log::describe(again));
    if (run->progress_->finished()) return;
    try {
      run->give_up(what);
    } catch (...) {
      // The last resort must not throw out of a completion handler: the service
      // is freed for the next deploy or rollback, and the run's clients are told.
      log::error("event=deploy_give_up_threw service={} error=\"{}\"", run->service_.name,
                 log::describe(std::current_exception()));
      run->service_.running.reset();
      run->progress_->finish(false, "internal error: " + what);
    }
  });
}

awaitable<void> Deployer::Run::recover(std::string reason) {
  auto& runtime = deployer_.runtime_;
  if (target_id_ != service_.live) co_await undo_new_release();
  if (Release* live = deployer_.find_release(service_, service_.live)) {
    if (replaces_release() && !live->spec.external()) {
      auto restarted = co_await runtime.run_instances(service_.name, *live, live->spec.size());
      if (!restarted) log::error("event=deploy_recovery service={} error=\"{}\"", service_.name, restarted.error());
    }
    runtime.set_traffic(service_.name, TrafficSplit{{{service_.live, std::nullopt}}, false});
  }
  give_up(reason);
}

bool Deployer::Run::replaces_release() const {
  return progress_->kind() == "deploy" || progress_->kind() == "rollback";
}

void Deployer::Run::give_up(const std::string& reason) {
  if (replaces_release()) fail("internal error: " + reason);
  else end_in_place(false, "internal error: " + reason);
}

void Deployer::Run::end_in_place(bool ok, std::string message) {
  progress_->add(DeployEvent{.kind = ok ? "done" : "failed", .message = message});
  if (ok) log::info("event={}_done service={} release={}", progress_->kind(), service_.name, target_id_);
  else log::warn("event={}_failed service={} reason=\"{}\"", progress_->kind(), service_.name, message);
  service_.running.reset();
  progress_->finish(ok, ok ? std::string() : std::move(message));
}
}  // namespace baton::deploy
