// A watch after the switch: once a rolling or blue-green deploy has moved every
// request to the new release, its traffic is judged for `watch`, in five slices
// (at least a second each) so a release that goes bad late is caught within a
// slice, against everything the release it replaced served (the canary's
// thresholds). A failing
// watch brings the replaced release back (the warm standby of a blue-green at
// once; a rolling deploy's stopped instances start again first), drains the new
// one and fails the deploy.
#include <fmt/format.h>

#include "deploy/strategy_base.hpp"

namespace baton::deploy::strategy {
namespace {
constexpr int kWatchSlices = 5;
constexpr std::chrono::milliseconds kMinWatchSlice{1000};

class Watched final : public Base {
 public:
  Watched(std::unique_ptr<Strategy> inner, Plan plan, bool warm)
      : Base(std::move(plan)), inner_(std::move(inner)), warm_(warm) {}

  Commands start(Clock::time_point now) override { return watch_after(inner_->start(now)); }

  Commands on(const Event& event, Clock::time_point now) override {
    if (auto shared_step = shared(event, {})) return *shared_step;
    switch (state_) {
      case State::inner: return watch_after(inner_->on(event, now));
      case State::watching: {
        auto* window = std::get_if<WindowClosed>(&event);
        if (!window) break;
        return judge(*window);
      }
      case State::restarting:
        if (!std::holds_alternative<Healthy>(event) && !std::holds_alternative<Unhealthy>(event)) break;
        return switch_back();
    }
    unexpected(event, "watch");
  }

 private:
  enum class State { inner, watching, restarting };

  // The inner strategy's switch succeeded: the watch starts instead of the end.
  Commands watch_after(Commands commands) {
    if (commands.empty()) return commands;
    auto* finish = std::get_if<Finish>(&commands.back());
    if (!finish || !finish->ok) return commands;
    commands.pop_back();
    state_ = State::watching;
    commands.push_back(Report{DeployEvent{
        .kind = "watch",
        .message = fmt::format("watching {} for {} s against {}", plan_.target, plan_.watch.count() / 1000.0,
                               plan_.previous)}});
    commands.push_back(next_slice());
    return commands;
  }

  Observe next_slice() {
    auto slice = std::min(plan_.watch - watched_, std::max(kMinWatchSlice, plan_.watch / kWatchSlices));
    slice_ = slice;
    return Observe{plan_.target, plan_.previous, slice, true};
  }

  Commands judge(const WindowClosed& window) {
    auto release = metrics::summarize(window.release);
    auto baseline = metrics::summarize(window.baseline);
    // Too little traffic to judge is no evidence against the release: the slice passes.
    auto verdict = release.requests < plan_.canary.min_requests ? std::nullopt : failing(release, baseline);
    if (!verdict) {
      watched_ += slice_;
      auto message = fmt::format("{} s of {} s watched: {}", watched_.count() / 1000.0, plan_.watch.count() / 1000.0,
                                 numbers(release, baseline));
      if (watched_ < plan_.watch) return {Report{DeployEvent{.kind = "watch", .message = message}}, next_slice()};
      return {Report{DeployEvent{.kind = "watch", .message = "watch passed, " + message}}, Finish{}};
    }
    reason_ = fmt::format("the watch failed: {}; {}", *verdict, numbers(release, baseline));
    Report failed{DeployEvent{.kind = "watch", .message = reason_ + ": back to " + plan_.previous}};
    if (warm_) return after_route(switch_back(), {failed});
    state_ = State::restarting;
    return {failed, step(fmt::format("restarting {} instance(s) of {}", plan_.previous_count, plan_.previous)),
            StartInstances{plan_.previous, plan_.previous_count, 0}};
  }

  // Every request to the replaced release again; the new one drains and stops.
  Commands switch_back() {
    traffic_ = TrafficSplit{{{plan_.previous, std::nullopt}}, false};
    traffic_.releases[plan_.target] = std::nullopt;  // so the undo takes it out and drains it
    return after_route(fail(reason_), {Reinstate{plan_.previous}});
  }

  std::unique_ptr<Strategy> inner_;
  bool warm_;
  std::chrono::milliseconds watched_{0};
  std::chrono::milliseconds slice_{0};
  State state_ = State::inner;
};
}  // namespace

std::unique_ptr<Strategy> make_watched(std::unique_ptr<Strategy> inner, Plan plan, bool previous_stays_warm) {
  return std::make_unique<Watched>(std::move(inner), std::move(plan), previous_stays_warm);
}
}  // namespace baton::deploy::strategy
