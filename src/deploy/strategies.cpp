// The strategies: rolling (a batch at a time, capacity never drops), blue-green
// (everything new, then one switch; the old set stays warm as standby) and
// recreate (traffic held while the only instance is replaced).
#include <fmt/format.h>

#include "deploy/deployer_service.hpp"

namespace baton::deploy {
namespace {
std::set<unsigned> first_indexes(unsigned count) {
  std::set<unsigned> out;
  for (unsigned i = 0; i < count; ++i) out.insert(i);
  return out;
}
}  // namespace

awaitable<void> Deployer::Run::execute() {
  auto& release = target();
  deployer_.set_status(service_, release, ReleaseStatus::deploying);
  progress_->add(DeployEvent{.kind = "started",
                             .message = fmt::format("{} {} ({}) of {}: {}, {} instance(s){}", progress_->kind(),
                                                    target_id_, release.version, service_.name, to_string(strategy_),
                                                    release.spec.size(),
                                                    previous_id_.empty() ? "" : ", replacing " + previous_id_),
                             .total = release.spec.size()});
  auto pre = co_await hook("pre_deploy", release.spec.deploy.pre_deploy, false);
  Result result = pre;
  if (result) {
    if (strategy_ == Strategy::rolling) result = co_await rolling();
    else if (strategy_ == Strategy::blue_green) result = co_await blue_green();
    else result = co_await recreate();
  }
  if (!result) {
    fail(result.error());
    co_return;
  }
  auto post = co_await hook("post_deploy", target().spec.deploy.post_deploy, false);
  if (!post) progress_->add(DeployEvent{.kind = "step", .message = post.error() + " (the deploy stands)"});
  if (auto* old = previous(); old && old->status == ReleaseStatus::live) {
    auto status = progress_->kind() == "rollback" ? ReleaseStatus::rolled_back : ReleaseStatus::retired;
    deployer_.set_status(service_, *old, status);
  }
  succeed();
}

awaitable<Deployer::Run::Result> Deployer::Run::rolling() {
  auto& runtime = deployer_.runtime_;
  const auto& spec = target().spec;
  unsigned total = spec.size();
  unsigned surge = std::max(1u, spec.deploy.max_surge);
  unsigned old_count = previous_id_.empty() ? 0 : static_cast<unsigned>(runtime.instances(service_.name, previous_id_).size());
  unsigned started = 0;
  unsigned old_left = old_count;
  while (started < total) {
    unsigned batch = std::min(surge, total - started);
    step(fmt::format("starting instances {}-{} of {}", started, started + batch - 1, target_id_));
    auto healthy = co_await start_and_check(started + batch, started);
    if (healthy && started == 0) healthy = co_await hook("smoke", spec.deploy.smoke, true);
    if (!healthy) {
      co_await restore_previous(old_count, old_left);
      co_await undo_new_release();
      co_return healthy;
    }
    started += batch;
    unsigned leaving = started == total ? old_left : std::min(batch, old_left);
    old_left -= leaving;
    auto split = runtime.traffic(service_.name);
    split.releases[target_id_] = std::nullopt;
    if (old_left == 0) split.releases.erase(previous_id_);
    else split.releases[previous_id_] = first_indexes(old_left);
    auto addresses = addresses_of(previous_id_, old_left);
    runtime.set_traffic(service_.name, std::move(split));
    progress_->add(DeployEvent{.kind = "switched",
                               .message = fmt::format("traffic: {} new, {} old", started, old_left),
                               .ready = started,
                               .total = total});
    if (leaving > 0) co_await drain_and_stop(previous_id_, addresses, old_left);
  }
  co_return Result{};
}

// A rolling deploy failed half-way: the old instances it already stopped start again and take
// traffic as they pass their checks, before the new ones leave.
awaitable<void> Deployer::Run::restore_previous(unsigned old_count, unsigned old_left) {
  auto* old = previous();
  if (!old || old_left == old_count) co_return;
  step(fmt::format("restarting {} instance(s) of {}", old_count - old_left, previous_id_));
  auto split = deployer_.runtime_.traffic(service_.name);
  split.releases[previous_id_] = std::nullopt;
  deployer_.runtime_.set_traffic(service_.name, std::move(split));
  auto started = co_await deployer_.runtime_.run_instances(service_.name, *old, old_count);
  if (started) co_await wait_release_healthy(previous_id_, old_count);
}

awaitable<Deployer::Run::Result> Deployer::Run::blue_green() {
  auto& runtime = deployer_.runtime_;
  const auto& spec = target().spec;
  step(fmt::format("starting {} instance(s) of {}", spec.size(), target_id_));
  auto healthy = co_await start_and_check(spec.size(), 0);
  if (healthy) healthy = co_await hook("smoke", spec.deploy.smoke, true);
  if (!healthy) {
    co_await undo_new_release();
    co_return healthy;
  }
  auto old_addresses = addresses_of(previous_id_);
  runtime.set_traffic(service_.name, TrafficSplit{{{target_id_, std::nullopt}}, false});
  progress_->add(DeployEvent{.kind = "switched",
                             .message = fmt::format("traffic switched to {}", target_id_),
                             .ready = spec.size(),
                             .total = spec.size()});
  auto* old = previous();
  if (!old) co_return Result{};
  if (spec.external() || progress_->kind() == "rollback") {
    co_await drain_and_stop(previous_id_, old_addresses, 0);
    co_return Result{};
  }
  // The release before stays warm: a rollback is then one more switch.
  if (!service_.standby.empty() && service_.standby != previous_id_) {
    auto older = service_.standby;
    if (auto* r = deployer_.find_release(service_, older)) deployer_.set_status(service_, *r, ReleaseStatus::retired);
    co_await deployer_.runtime_.stop_instances(service_.name, older, 0);
  }
  auto report = co_await runtime.drain(old_addresses, old->spec.deploy.drain_timeout);
  progress_->add(DeployEvent{.kind = "drained",
                             .message = fmt::format("{} drained: {} finished, {} cut; it stays warm as standby",
                                                    previous_id_, report.drained, report.cut),
                             .drained = report.drained,
                             .cut = report.cut});
  deployer_.set_status(service_, *old, ReleaseStatus::standby);
  service_.standby = previous_id_;
  deployer_.arm_standby_expiry(service_.name, service_);
  co_return Result{};
}

awaitable<Deployer::Run::Result> Deployer::Run::recreate() {
  auto& runtime = deployer_.runtime_;
  const auto& spec = target().spec;
  auto split = runtime.traffic(service_.name);
  split.paused = true;
  runtime.set_traffic(service_.name, split);
  step("traffic paused: new requests wait");
  unsigned old_count = previous_id_.empty() ? 0 : static_cast<unsigned>(runtime.instances(service_.name, previous_id_).size());
  if (!previous_id_.empty()) co_await drain_and_stop(previous_id_, addresses_of(previous_id_), 0);
  step(fmt::format("starting {} instance(s) of {}", spec.size(), target_id_));
  auto healthy = co_await start_and_check(spec.size(), 0);
  if (healthy) healthy = co_await hook("smoke", spec.deploy.smoke, true);
  if (!healthy) {
    co_await undo_new_release();
    if (auto* old = previous()) {
      step(fmt::format("restarting {}", previous_id_));
      auto restarted = co_await runtime.run_instances(service_.name, *old, old_count);
      if (restarted) co_await wait_release_healthy(previous_id_, old_count);
    }
    runtime.set_traffic(service_.name, TrafficSplit{{{previous_id_, std::nullopt}}, false});
    step("traffic resumed");
    co_return healthy;
  }
  runtime.set_traffic(service_.name, TrafficSplit{{{target_id_, std::nullopt}}, false});
  step(fmt::format("traffic resumed on {}", target_id_));
  co_return Result{};
}

awaitable<void> Deployer::Run::switch_to_standby() {
  auto& runtime = deployer_.runtime_;
  auto& release = target();
  progress_->add(DeployEvent{.kind = "started",
                             .message = fmt::format("rollback of {} to {} ({}), warm standby", service_.name,
                                                    target_id_, release.version)});
  auto current = addresses_of(previous_id_);
  runtime.set_traffic(service_.name, TrafficSplit{{{target_id_, std::nullopt}}, false});
  progress_->add(DeployEvent{.kind = "switched",
                             .message = fmt::format("traffic switched to {} in {} ms", target_id_,
                                                    progress_->elapsed().count())});
  service_.standby.clear();
  if (service_.standby_timer) service_.standby_timer->cancel();
  if (auto* old = previous()) deployer_.set_status(service_, *old, ReleaseStatus::rolled_back);
  co_await drain_and_stop(previous_id_, current, 0);
  succeed();
}

awaitable<void> Deployer::Run::rescale(unsigned count) {
  auto& runtime = deployer_.runtime_;
  auto& release = target();
  auto current = static_cast<unsigned>(runtime.instances(service_.name, target_id_).size());
  progress_->add(DeployEvent{.kind = "started",
                             .message = fmt::format("{} of {}: {} to {} instance(s) of {}", progress_->kind(),
                                                    service_.name, current, count, target_id_),
                             .total = count});
  if (count > current) {
    step(fmt::format("starting instances {}-{} of {}", current, count - 1, target_id_));
    auto healthy = co_await start_and_check(count, current);
    if (!healthy) {
      co_await runtime.stop_instances(service_.name, target_id_, current);
      end_in_place(false, failure_report(healthy.error()));
      co_return;
    }
  } else if (count < current) {
    // The leaving instances stop taking requests, drain, and only then stop.
    auto split = runtime.traffic(service_.name);
    split.releases[target_id_] = first_indexes(count);
    auto leaving = addresses_of(target_id_, count);
    runtime.set_traffic(service_.name, split);
    co_await drain_and_stop(target_id_, leaving, count);
    split = runtime.traffic(service_.name);
    split.releases[target_id_] = std::nullopt;
    runtime.set_traffic(service_.name, split);
  }
  release.spec.instances = count;
  deployer_.record(service_, release);
  end_in_place(true, fmt::format("{} runs {} instance(s)", target_id_, count));
}
}  // namespace baton::deploy
