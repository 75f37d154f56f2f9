// Recreate, for apps that cannot run twice: new requests wait (the service is
// paused), the old release drains and stops, the new one starts; once healthy
// and smoke-tested it takes the held requests. A failure restarts the old one.
#include <fmt/format.h>

#include "deploy/strategy_base.hpp"

namespace baton::deploy::strategy {
namespace {
class Recreate final : public Base {
 public:
  explicit Recreate(Plan plan) : Base(std::move(plan)) {}

  Commands start(Clock::time_point) override {
    traffic_.paused = true;
    Commands out{route(), step("traffic paused: new requests wait")};
    if (plan_.previous.empty()) return append(std::move(out), start_new());
    state_ = State::draining_old;
    out.push_back(Drain{plan_.previous, 0});
    return out;
  }

  Commands on(const Event& event, Clock::time_point) override {
    if (auto shared_step = shared(event, [this] { return resume_new(); })) return *shared_step;
    switch (state_) {
      case State::draining_old: {
        auto* done = std::get_if<Drained>(&event);
        if (!done) break;
        state_ = State::stopping_old;
        return {drained(*done), Stop{plan_.previous, 0}};
      }
      case State::stopping_old:
        if (!std::holds_alternative<Stopped>(event)) break;
        return start_new();
      case State::restarting_old:
        if (!std::holds_alternative<Healthy>(event) && !std::holds_alternative<Unhealthy>(event)) break;
        return resume_old();
    }
    unexpected(event, "recreate");
  }

 private:
  enum class State { draining_old, stopping_old, restarting_old };

  static Commands append(Commands out, Commands more) {
    out.insert(out.end(), more.begin(), more.end());
    return out;
  }

  Commands start_new() { return start_gate(); }

  Commands resume_new() {
    traffic_ = TrafficSplit{{{plan_.target, std::nullopt}}, false};
    return {route(), step(fmt::format("traffic resumed on {}", plan_.target)), Finish{}};
  }

  // The new release is gone: the old one starts again and the held requests go to it.
  Commands after_undo() override {
    if (plan_.previous.empty()) return resume_old();
    state_ = State::restarting_old;
    return {step(fmt::format("restarting {}", plan_.previous)),
            StartInstances{plan_.previous, plan_.previous_count, 0}};
  }

  Commands resume_old() {
    traffic_ = TrafficSplit{{}, false};
    if (!plan_.previous.empty()) traffic_.releases[plan_.previous] = std::nullopt;
    return {route(), step("traffic resumed"), Finish{false, reason_}};
  }

  State state_ = State::draining_old;
};
}  // namespace

std::unique_ptr<Strategy> make_recreate(Plan plan) { return std::make_unique<Recreate>(std::move(plan)); }
}  // namespace baton::deploy::strategy
