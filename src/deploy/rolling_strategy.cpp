// Rolling: a batch of max_surge new instances at a time; each batch takes traffic
// once healthy and as many old instances then drain and stop, so capacity never
// drops. A failure half-way restarts the old instances already stopped before the
// new ones leave.
#include <fmt/format.h>

#include "deploy/strategy_base.hpp"

namespace baton::deploy::strategy {
namespace {
class Rolling final : public Base {
 public:
  explicit Rolling(Plan plan)
      : Base(std::move(plan)),
        surge_(std::max(1u, plan_.max_surge)),
        old_left_(plan_.previous.empty() ? 0 : plan_.previous_count) {}

  Commands start(Clock::time_point) override { return next_batch(); }

  Commands on(const Event& event, Clock::time_point) override {
    if (auto shared_step = shared(event, {})) return *shared_step;
    switch (state_) {
      case State::starting:
        if (auto* bad = std::get_if<Unhealthy>(&event)) return restore(bad->reason);
        if (!std::holds_alternative<Healthy>(event)) break;
        if (started_ == 0) {
          state_ = State::smoke;
          return {RunHook{"smoke"}};
        }
        return switch_batch();
      case State::smoke: {
        auto* hook = std::get_if<HookDone>(&event);
        if (!hook) break;
        if (hook->error) return restore(*hook->error);
        return switch_batch();
      }
      case State::draining: {
        auto* done = std::get_if<Drained>(&event);
        if (!done) break;
        state_ = State::stopping;
        return {drained(*done), Stop{plan_.previous, old_left_}};
      }
      case State::stopping:
        if (!std::holds_alternative<Stopped>(event)) break;
        return next_batch();
      case State::restoring:
        if (!std::holds_alternative<Healthy>(event) && !std::holds_alternative<Unhealthy>(event)) break;
        return fail(reason_);
    }
    unexpected(event, "rolling");
  }

 private:
  enum class State { starting, smoke, draining, stopping, restoring };

  unsigned batch() const { return std::min(surge_, plan_.total - started_); }

  Commands start_batch() {
    state_ = State::starting;
    return {step(fmt::format("starting instances {}-{} of {}", started_, started_ + batch() - 1, plan_.target)),
            StartInstances{plan_.target, started_ + batch(), started_}};
  }

  Commands next_batch() {
    if (started_ < plan_.total) return start_batch();
    return {Finish{}};
  }

  // The batch is healthy: it takes traffic, and as many old instances leave.
  Commands switch_batch() {
    unsigned added = batch();
    started_ += added;
    unsigned leaving = started_ == plan_.total ? old_left_ : std::min(added, old_left_);
    old_left_ -= leaving;
    traffic_.releases[plan_.target] = std::nullopt;
    if (old_left_ == 0) traffic_.releases.erase(plan_.previous);
    else traffic_.releases[plan_.previous] = first_indexes(old_left_);
    Commands out{route(), Report{DeployEvent{.kind = "switched",
                                             .message = fmt::format("traffic: {} new, {} old", started_, old_left_),
                                             .ready = started_,
                                             .total = plan_.total}}};
    if (leaving == 0) {
      auto next = next_batch();
      out.insert(out.end(), next.begin(), next.end());
      return out;
    }
    state_ = State::draining;
    out.push_back(Drain{plan_.previous, old_left_});
    return out;
  }

  // A batch failed: the old instances already stopped start again and take traffic as they
  // pass their checks, before the new ones leave.
  Commands restore(std::string reason) {
    unsigned old_count = plan_.previous.empty() ? 0 : plan_.previous_count;
    if (plan_.previous.empty() || old_left_ == old_count) return fail(std::move(reason));
    reason_ = std::move(reason);
    state_ = State::restoring;
    traffic_.releases[plan_.previous] = std::nullopt;
    return {step(fmt::format("restarting {} instance(s) of {}", old_count - old_left_, plan_.previous)), route(),
            StartInstances{plan_.previous, old_count, 0}};
  }

  unsigned surge_;
  unsigned started_ = 0;
  unsigned old_left_;
  State state_ = State::starting;
};
}  // namespace

std::unique_ptr<Strategy> make_rolling(Plan plan) { return std::make_unique<Rolling>(std::move(plan)); }
}  // namespace baton::deploy::strategy
