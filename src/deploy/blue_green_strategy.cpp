// Blue-green: the whole new release starts beside the old one and, once healthy
// and smoke-tested, takes every request in one switch. The old release drains and
// stays running as the warm standby (a rollback is one more switch), except after
// a rollback, for external targets and for workers (a warm worker would go on working), where it
// stops.
#include <fmt/format.h>

#include "deploy/strategy_base.hpp"

namespace baton::deploy::strategy {
namespace {
class BlueGreen final : public Base {
 public:
  explicit BlueGreen(Plan plan) : Base(std::move(plan)) {}

  Commands start(Clock::time_point) override { return start_gate(); }

  Commands on(const Event& event, Clock::time_point) override {
    if (auto shared_step = shared(event, [this] { return switch_over(); })) return *shared_step;
    switch (state_) {
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
    }
    unexpected(event, "blue-green");
  }

 private:
  enum class State { stopping_older, draining_to_standby };

  Commands switch_over() {
    traffic_ = TrafficSplit{{{plan_.target, std::nullopt}}, false};
    Commands out{route(), Report{DeployEvent{.kind = "switched",
                                             .message = fmt::format("traffic switched to {}", plan_.target),
                                             .ready = plan_.total,
                                             .total = plan_.total}}};
    if (plan_.previous.empty() || plan_.external || plan_.worker || plan_.rollback) {
      auto retire = retire_previous();
      out.insert(out.end(), retire.begin(), retire.end());
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

  State state_ = State::draining_to_standby;
};
}  // namespace

std::unique_ptr<Strategy> make_blue_green(Plan plan) { return std::make_unique<BlueGreen>(std::move(plan)); }
}  // namespace baton::deploy::strategy
