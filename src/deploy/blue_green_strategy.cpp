// Blue-green: the whole new release starts beside the old one and, once healthy
// and smoke-tested, takes every request in one switch. The old release drains and
// stays running as the warm standby (a rollback is one more switch), except after
// a rollback or for external targets, where it stops.
#include <fmt/format.h>

#include "deploy/strategy_base.hpp"

namespace baton::deploy::strategy {
namespace {
class BlueGreen final : public Base {
 public:
  explicit BlueGreen(Plan plan) : Base(std::move(plan)) {}

  Commands start(Clock::time_point) override {
    return {step(fmt::format("starting {} instance(s) of {}", plan_.total, plan_.target)),
            StartInstances{plan_.target, plan_.total, 0}};
  }

  Commands on(const Event& event, Clock::time_point) override {
    if (auto undo = undoing(event)) return *undo;
    switch (state_) {
      case State::starting:
        if (auto* bad = std::get_if<Unhealthy>(&event)) return fail(bad->reason);
        if (!std::holds_alternative<Healthy>(event)) break;
        state_ = State::smoke;
        return {RunHook{"smoke"}};
      case State::smoke: {
        auto* hook = std::get_if<HookDone>(&event);
        if (!hook) break;
        if (hook->error) return fail(*hook->error);
        return switch_over();
      }
      case State::stopping_older:
        if (!std::holds_alternative<Stopped>(event)) break;
        state_ = State::draining_to_standby;
        return {Drain{plan_.previous, 0}};
      case State::draining_to_standby: {
        auto* done = std::get_if<Drained>(&event);
        if (!done) break;
        return {Report{DeployEvent{.kind = "drained",
                                   .message = fmt::format("{} drained: {} finished, {} cut; it stays warm as standby",
                                                          plan_.previous, done->report.drained, done->report.cut),
                                   .drained = done->report.drained,
                                   .cut = done->report.cut}},
                KeepWarm{plan_.previous}, Finish{}};
      }
      case State::draining_to_stop: {
        auto* done = std::get_if<Drained>(&event);
        if (!done) break;
        state_ = State::stopping;
        return {drained(*done), Stop{plan_.previous, 0}};
      }
      case State::stopping:
        if (!std::holds_alternative<Stopped>(event)) break;
        return {Finish{}};
    }
    unexpected(event, "blue-green");
  }

 private:
  enum class State { starting, smoke, stopping_older, draining_to_standby, draining_to_stop, stopping };

  Commands switch_over() {
    traffic_ = TrafficSplit{{{plan_.target, std::nullopt}}, false};
    Commands out{route(), Report{DeployEvent{.kind = "switched",
                                             .message = fmt::format("traffic switched to {}", plan_.target),
                                             .ready = plan_.total,
                                             .total = plan_.total}}};
    if (plan_.previous.empty()) {
      out.push_back(Finish{});
    } else if (plan_.external || plan_.rollback) {
      state_ = State::draining_to_stop;
      out.push_back(Drain{plan_.previous, 0});
    } else if (!plan_.standby.empty() && plan_.standby != plan_.previous) {
      // One standby at a time: the older one goes.
      state_ = State::stopping_older;
      out.push_back(Retire{plan_.standby});
      out.push_back(Stop{plan_.standby, 0});
    } else {
      state_ = State::draining_to_standby;
      out.push_back(Drain{plan_.previous, 0});
    }
    return out;
  }

  State state_ = State::starting;
};
}  // namespace

std::unique_ptr<Strategy> make_blue_green(Plan plan) { return std::make_unique<BlueGreen>(std::move(plan)); }
}  // namespace baton::deploy::strategy
