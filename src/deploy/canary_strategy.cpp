// Canary: the whole new release starts beside the live one, then takes a growing
// share of new clients, step by step. After each step a window of both releases'
// own traffic is compared: the canary's error rate (5xx and upstream errors) and
// p99 against the live release's. A failing window takes the canary out of the
// split at once and stops it; a passing last step (or the operator's promote)
// switches every request to it and the old release drains and stops.
#include <fmt/format.h>

#include "deploy/strategy_base.hpp"

namespace baton::deploy::strategy {
namespace {
class Canary final : public Base {
 public:
  explicit Canary(Plan plan) : Base(std::move(plan)) {}

  bool takes_operator_commands() const override { return true; }

  Commands start(Clock::time_point) override {
    return start_gate(plan_.previous.empty() ? std::string() : " beside " + plan_.previous);
  }

  // Windows are counted, not timed: the clock is the runner's.
  Commands on(const Event& event, Clock::time_point) override {
    auto first_step = [this] {
      // Nothing to compare with on a first deploy: it is a plain switch.
      if (plan_.previous.empty() || plan_.canary.steps.empty()) return promote("nothing to compare it with");
      return enter_step(0);
    };
    if (auto shared_step = shared(event, first_step)) return *shared_step;
    if (auto* command = std::get_if<Operator>(&event)) return steer(command->command);
    switch (state_) {
      case State::observing: {
        auto* window = std::get_if<WindowClosed>(&event);
        if (!window) break;
        return judge(*window);
      }
    }
    unexpected(event, "canary");
  }

 private:
  enum class State { observing, promoted };

  unsigned share() const { return plan_.canary.steps[step_]; }
  bool paused() const { return plan_.canary.pause_at && share() >= *plan_.canary.pause_at; }

  Commands enter_step(std::size_t index) {
    step_ = index;
    extensions_ = 0;
    window_release_ = {};
    window_baseline_ = {};
    traffic_.releases[plan_.target] = std::nullopt;
    traffic_.releases[plan_.previous] = std::nullopt;
    traffic_.weights = {{plan_.target, share()}, {plan_.previous, 100 - share()}};
    traffic_.canary = plan_.target;
    state_ = State::observing;
    auto message = fmt::format("step {}/{}: {}% of new clients to {}", step_ + 1, plan_.canary.steps.size(), share(),
                               plan_.target);
    if (paused()) message += "; paused: 'baton promote' or 'baton abort' ends it";
    return {route(),
            Report{DeployEvent{.kind = "canary", .message = std::move(message), .ready = share(), .total = 100}},
            observe()};
  }

  Observe observe() const { return Observe{plan_.target, plan_.previous, plan_.canary.interval}; }

  Commands judge(const WindowClosed& window) {
    window_release_ += window.release;
    window_baseline_ += window.baseline;
    auto canary = metrics::summarize(window_release_);
    auto live = metrics::summarize(window_baseline_);
    const auto& rules = plan_.canary;
    auto numbers = this->numbers(canary, live);
    if (canary.requests < rules.min_requests) {
      // A paused canary waits for a person, however quiet it is: it is judged once enough came.
      if (paused())
        return {Report{DeployEvent{.kind = "canary",
                                   .message = fmt::format("paused at {}%: {} of {} requests to judge so far", share(),
                                                          canary.requests, rules.min_requests)}},
                observe()};
      if (extensions_ < rules.max_extensions) {
        ++extensions_;
        return {Report{DeployEvent{
                    .kind = "canary",
                    .message = fmt::format("too few requests to judge ({} of {}): the window is extended ({}/{}); {}",
                                           canary.requests, rules.min_requests, extensions_, rules.max_extensions,
                                           numbers)}},
                observe()};
      }
      if (!rules.pass_when_quiet)
        return abort(fmt::format("too few requests to judge the canary at {}%: {} of {} after {} windows; {}", share(),
                                 canary.requests, rules.min_requests, extensions_ + 1, numbers));
    } else if (auto verdict = failing(canary, live)) {
      return abort(fmt::format("canary failed at {}%: {}; {}", share(), *verdict, numbers));
    }
    Report passed{DeployEvent{.kind = "canary", .message = fmt::format("window passed at {}%: {}", share(), numbers)}};
    if (paused()) {
      window_release_ = {};
      window_baseline_ = {};
      return {passed, observe()};
    }
    if (step_ + 1 < plan_.canary.steps.size()) {
      return after_route(enter_step(step_ + 1), {passed});
    }
    return after_route(promote("every step passed"), {passed});
  }

  Commands steer(OperatorCommand command) {
    if (state_ != State::observing) unexpected(Operator{command}, "canary: not observing");
    if (command == OperatorCommand::abort) return abort(fmt::format("aborted by the operator at {}%", share()));
    return promote("promoted by the operator");
  }

  Commands abort(std::string reason) {
    traffic_.weights.clear();
    traffic_.canary.clear();
    auto out = fail(reason);
    return after_route(std::move(out), {Report{DeployEvent{.kind = "canary",
                                                           .message = reason + ": weight 0, the canary stops"}}});
  }

  Commands promote(std::string why) {
    traffic_ = TrafficSplit{{{plan_.target, std::nullopt}}, false};
    Commands out{route(), Report{DeployEvent{.kind = "switched",
                                             .message = fmt::format("traffic switched to {} ({})", plan_.target, why),
                                             .ready = plan_.total,
                                             .total = plan_.total}}};
    state_ = State::promoted;
    auto retire = retire_previous();
    out.insert(out.end(), retire.begin(), retire.end());
    return out;
  }

  State state_ = State::observing;
  std::size_t step_ = 0;
  unsigned extensions_ = 0;
  metrics::TrafficSnapshot window_release_;
  metrics::TrafficSnapshot window_baseline_;
};
}  // namespace

std::unique_ptr<Strategy> make_canary(Plan plan) { return std::make_unique<Canary>(std::move(plan)); }
}  // namespace baton::deploy::strategy
