#include "deploy/strategy.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "deploy/strategy_base.hpp"

namespace baton::deploy::strategy {
bool completes_later(const Command& command) {
  return std::holds_alternative<StartInstances>(command) || std::holds_alternative<RunHook>(command) ||
         std::holds_alternative<Drain>(command) || std::holds_alternative<Stop>(command) ||
         std::holds_alternative<Wait>(command) || std::holds_alternative<Observe>(command);
}

std::unique_ptr<Strategy> make(baton::Strategy kind, Plan plan) {
  switch (kind) {
    case baton::Strategy::recreate: return make_recreate(std::move(plan));
    case baton::Strategy::canary: return make_canary(std::move(plan));
    case baton::Strategy::blue_green:
    case baton::Strategy::rolling: break;
  }
  bool blue_green = kind == baton::Strategy::blue_green;
  auto inner = blue_green ? make_blue_green(plan) : make_rolling(plan);
  // A rollback is not watched: it goes back to what served before.
  if (plan.watch.count() == 0 || plan.previous.empty() || plan.rollback) return inner;
  bool warm = blue_green && !plan.external && !plan.worker;
  return make_watched(std::move(inner), std::move(plan), warm);
}

Report Base::step(std::string message) { return Report{DeployEvent{.kind = "step", .message = std::move(message)}}; }

Commands Base::after_route(Commands commands, std::initializer_list<Command> notes) {
  auto at = commands.begin();
  if (at != commands.end() && std::holds_alternative<Route>(*at)) ++at;
  commands.insert(at, notes.begin(), notes.end());
  return commands;
}

Report Base::drained(const Drained& done) {
  return Report{DeployEvent{.kind = "drained",
                            .message = fmt::format("{} instance(s) of {} drained: {} finished, {} cut", done.targets,
                                                   done.release, done.report.drained, done.report.cut),
                            .drained = done.report.drained,
                            .cut = done.report.cut}};
}

std::set<unsigned> first_indexes(unsigned count) {
  std::set<unsigned> out;
  for (unsigned i = 0; i < count; ++i) out.insert(i);
  return out;
}

Commands Base::start_gate(std::string_view detail) {
  phase_ = Phase::starting;
  return {step(fmt::format("starting {} instance(s) of {}{}", plan_.total, plan_.target, detail)),
          StartInstances{plan_.target, plan_.total, 0}};
}

Commands Base::fail(std::string reason) {
  reason_ = std::move(reason);
  bool had_traffic = traffic_.releases.erase(plan_.target) > 0;
  if (had_traffic) {
    phase_ = Phase::undo_draining;
    return {route(), Drain{plan_.target, 0}};
  }
  phase_ = Phase::undo_stopping;
  return {Stop{plan_.target, 0}};
}

Commands Base::retire_previous() {
  if (plan_.previous.empty()) return {Finish{}};
  phase_ = Phase::retire_draining;
  return {Drain{plan_.previous, 0}};
}

std::optional<Commands> Base::shared(const Event& event, const std::function<Commands()>& passed) {
  switch (phase_) {
    case Phase::own: return std::nullopt;
    case Phase::starting:
      if (auto* bad = std::get_if<Unhealthy>(&event)) return fail(bad->reason);
      if (!std::holds_alternative<Healthy>(event)) break;
      phase_ = Phase::smoke;
      return Commands{RunHook{"smoke"}};
    case Phase::smoke: {
      auto* hook = std::get_if<HookDone>(&event);
      if (!hook) break;
      if (hook->error) return fail(*hook->error);
      phase_ = Phase::own;
      return passed();
    }
    case Phase::undo_draining:
      if (!std::holds_alternative<Drained>(event)) break;
      phase_ = Phase::undo_stopping;
      return Commands{Stop{plan_.target, 0}};
    case Phase::undo_stopping:
      if (!std::holds_alternative<Stopped>(event)) break;
      phase_ = Phase::own;
      return after_undo();
    case Phase::retire_draining: {
      auto* done = std::get_if<Drained>(&event);
      if (!done) break;
      phase_ = Phase::retire_stopping;
      return Commands{drained(*done), Stop{plan_.previous, 0}};
    }
    case Phase::retire_stopping:
      if (!std::holds_alternative<Stopped>(event)) break;
      phase_ = Phase::own;
      return Commands{Finish{}};
  }
  unexpected(event, "shared steps");
}

namespace {
std::string percent(double rate) { return fmt::format("{:.1f}%", rate * 100.0); }

std::string millis(std::optional<double> seconds) {
  return seconds ? fmt::format("{:.1f} ms", *seconds * 1000.0) : std::string("none");
}
}  // namespace

std::optional<std::string> Base::failing(const metrics::WindowSummary& release,
                                         const metrics::WindowSummary& baseline) const {
  const auto& rules = plan_.canary;
  double allowed = rules.max_error_rate + baseline.error_rate();
  if (release.error_rate() > allowed)
    return fmt::format("error rate {} above {} ({}'s {} + {})", percent(release.error_rate()), percent(allowed),
                       plan_.previous, percent(baseline.error_rate()), percent(rules.max_error_rate));
  if (release.p99_seconds && baseline.p99_seconds && *release.p99_seconds * 1000.0 >= static_cast<double>(rules.p99_floor.count()) &&
      *release.p99_seconds > rules.max_p99_ratio * *baseline.p99_seconds)
    return fmt::format("p99 {} above {} x {}'s {}", millis(release.p99_seconds), rules.max_p99_ratio, plan_.previous,
                       millis(baseline.p99_seconds));
  return std::nullopt;
}

std::string Base::numbers(const metrics::WindowSummary& release, const metrics::WindowSummary& baseline) const {
  return fmt::format("{}: {} requests, {} errors ({}), p99 {}; {}: {} requests, {} errors ({}), p99 {}", plan_.target,
                     release.requests, release.errors, percent(release.error_rate()), millis(release.p99_seconds),
                     plan_.previous, baseline.requests, baseline.errors, percent(baseline.error_rate()),
                     millis(baseline.p99_seconds));
}

void Base::unexpected(const Event& event, std::string_view state) {
  throw std::logic_error(fmt::format("deploy strategy: event #{} unexpected in state {}", event.index(), state));
}
}  // namespace baton::deploy::strategy
