// The runner: carries a deploy out by turning its strategy's commands into
// actions on the runtime (the one place a strategy's decisions touch the
// world), and the operations that are not strategies (a warm standby's switch,
// a scale in place).
#include <stdexcept>

#include <fmt/format.h>

#include "base/log.hpp"
#include "deploy/deployer_service.hpp"

namespace baton::deploy {
awaitable<void> Deployer::Run::execute() {
  auto& release = target();
  deployer_.set_status(service_, release, ReleaseStatus::deploying);
  progress_->add(DeployEvent{.kind = "started",
                             .message = fmt::format("{} {} ({}) of {}: {}, {} instance(s){}", progress_->kind(),
                                                    target_id_, release.version, service_.name, to_string(strategy_),
                                                    release.spec.size(),
                                                    previous_id_.empty() ? "" : ", replacing " + previous_id_),
                             .total = release.spec.size()});
  Result result = Result{};
  if (build) {
    result = co_await hook("build", release.spec.deploy.build, false);
    // A release whose build failed can never run: its directory goes at once.
    if (!result && deployer_.discard_code) deployer_.discard_code(service_.name, release.spec.cwd);
  }
  if (result) result = co_await hook("pre_deploy", release.spec.deploy.pre_deploy, false);
  if (result) {
    auto machine = strategy::make(strategy_, plan());
    progress_->set_steerable(machine->takes_operator_commands());
    result = co_await drive(*machine);
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

strategy::Plan Deployer::Run::plan() {
  const auto& spec = target().spec;
  strategy::Plan plan;
  plan.target = target_id_;
  plan.total = spec.size();
  plan.max_surge = spec.deploy.max_surge;
  plan.rollback = progress_->kind() == "rollback";
  plan.external = spec.external();
  plan.worker = spec.worker || service_.config_spec.worker;
  plan.standby = service_.standby;
  plan.traffic = deployer_.runtime_.traffic(service_.name);
  plan.canary = spec.deploy.canary;
  plan.watch = spec.deploy.watch;
  if (previous()) {
    plan.previous = previous_id_;
    plan.previous_count = static_cast<unsigned>(deployer_.runtime_.instances(service_.name, previous_id_).size());
  }
  return plan;
}

awaitable<Deployer::Run::Result> Deployer::Run::drive(strategy::Strategy& machine) {
  auto commands = machine.start(strategy::Clock::now());
  for (;;) {
    std::optional<strategy::Event> event;
    for (const auto& command : commands) {
      if (event) throw std::logic_error("deploy strategy: a command after one that completes later");
      if (auto* finish = std::get_if<strategy::Finish>(&command)) {
        if (finish->ok) co_return Result{};
        co_return std::unexpected(finish->reason);
      }
      event = co_await carry_out(command);
    }
    if (!event) throw std::logic_error("deploy strategy: commands that neither wait nor finish");
    commands = machine.on(*event, strategy::Clock::now());
  }
}

awaitable<std::optional<strategy::Event>> Deployer::Run::carry_out(const strategy::Command& command) {
  using namespace strategy;
  auto& runtime = deployer_.runtime_;
  if (auto* report = std::get_if<Report>(&command)) {
    if (report->event.kind == "step") step(report->event.message);
    else progress_->add(report->event);
  } else if (auto* route = std::get_if<Route>(&command)) {
    runtime.set_traffic(service_.name, route->split);
    if (window_closed_at_) {
      // How long a verdict takes to reach the route table (bench/deploy reads it).
      auto taken = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - *window_closed_at_);
      log::info("event=route_after_window service={} release={} canary_weight={} micros={}", service_.name,
                target_id_, route->split.weights.contains(target_id_) ? route->split.weights.at(target_id_) : 0,
                taken.count());
      window_closed_at_.reset();
    }
  } else if (auto* start = std::get_if<StartInstances>(&command)) {
    auto& release = known_release(start->release);
    auto started = co_await runtime.run_instances(service_.name, release, start->count);
    if (!started) co_return Unhealthy{start->release, "cannot start " + start->release + ": " + started.error()};
    auto healthy = co_await wait_healthy(start->release, start->from, start->count);
    if (!healthy) co_return Unhealthy{start->release, healthy.error()};
    co_return Healthy{start->release};
  } else if (auto* run = std::get_if<RunHook>(&command)) {
    if (run->name != "smoke") throw std::logic_error("deploy strategy: no hook named " + run->name);
    auto outcome = co_await hook(run->name, target().spec.deploy.smoke, true);
    co_return HookDone{run->name, outcome ? std::nullopt : std::optional(outcome.error())};
  } else if (auto* drain = std::get_if<Drain>(&command)) {
    auto addresses = addresses_of(drain->release, drain->from);
    auto report = co_await runtime.drain(addresses, known_release(drain->release).spec.deploy.drain_timeout);
    co_return Drained{drain->release, addresses.size(), report};
  } else if (auto* stop = std::get_if<Stop>(&command)) {
    co_await runtime.stop_instances(service_.name, stop->release, stop->keep);
    co_return Stopped{stop->release};
  } else if (auto* retire = std::get_if<Retire>(&command)) {
    deployer_.set_status(service_, known_release(retire->release), ReleaseStatus::retired);
  } else if (auto* warm = std::get_if<KeepWarm>(&command)) {
    deployer_.set_status(service_, known_release(warm->release), ReleaseStatus::standby);
    service_.standby = warm->release;
    deployer_.arm_standby_expiry(service_.name, service_);
  } else if (auto* wait = std::get_if<Wait>(&command)) {
    if (auto steered = co_await steering_until(Clock::now() + wait->duration)) co_return Operator{*steered};
    co_return TimerFired{};
  } else if (auto* observe = std::get_if<Observe>(&command)) {
    auto before = runtime.release_traffic(service_.name);
    if (auto steered = co_await steering_until(Clock::now() + observe->duration)) co_return Operator{*steered};
    auto after = runtime.release_traffic(service_.name);
    window_closed_at_ = Clock::now();
    auto baseline = observe->whole_baseline ? window_of({}, after, observe->baseline)
                                            : window_of(before, after, observe->baseline);
    co_return WindowClosed{window_of(before, after, observe->release), baseline};
  } else if (auto* reinstate = std::get_if<Reinstate>(&command)) {
    deployer_.set_status(service_, known_release(reinstate->release), ReleaseStatus::live);
    if (service_.standby == reinstate->release) {
      service_.standby.clear();
      if (service_.standby_timer) service_.standby_timer->cancel();
    }
  } else {
    throw std::logic_error(fmt::format("deploy strategy: command #{} has no runner", command.index()));
  }
  co_return std::nullopt;
}

awaitable<std::optional<OperatorCommand>> Deployer::Run::steering_until(strategy::Clock::time_point deadline) {
  for (;;) {
    if (auto command = progress_->take_steering()) co_return command;
    if (strategy::Clock::now() >= deadline) co_return std::nullopt;
    co_await progress_->wait_until(deadline);
  }
}

metrics::TrafficSnapshot Deployer::Run::window_of(const std::map<std::string, metrics::TrafficSnapshot>& before,
                                                  const std::map<std::string, metrics::TrafficSnapshot>& after,
                                                  const std::string& release) {
  auto end = after.find(release);
  if (end == after.end()) return {};
  auto start = before.find(release);
  return start == before.end() ? end->second : end->second.since(start->second);
}

Release& Deployer::Run::known_release(const std::string& id) {
  auto* release = deployer_.find_release(service_, id);
  if (!release) throw std::logic_error("deploy strategy: no release " + id + " of " + service_.name);
  return *release;
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
    split.releases[target_id_] = strategy::first_indexes(count);
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
