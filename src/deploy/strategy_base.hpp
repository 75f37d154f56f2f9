#pragma once
// What the strategies share: the split they route, progress lines, and the undo
// of a new release that failed (out of traffic, drained if it had any, stopped).
#include "deploy/strategy.hpp"

namespace baton::deploy::strategy {
class Base : public Strategy {
 protected:
  explicit Base(Plan plan) : plan_(std::move(plan)), traffic_(plan_.traffic) {}

  static Report step(std::string message);
  // Publishes traffic_.
  Route route() const { return Route{traffic_}; }
  // "2 instance(s) of r1 drained: 5 finished, 0 cut"
  static Report drained(const Drained& done);

  // The new release failed for `reason`: it leaves the split, drains if it had traffic, and
  // stops; after_undo() says what comes next.
  Commands fail(std::string reason);
  virtual Commands after_undo() { return {Finish{false, reason_}}; }
  // Carries an undo on; nullopt when none is under way.
  std::optional<Commands> undoing(const Event& event);
  // Why `release` fails a window against `baseline` by the canary's thresholds, if it does.
  std::optional<std::string> failing(const metrics::WindowSummary& release,
                                     const metrics::WindowSummary& baseline) const;
  // "r2: 120 requests, 0 errors (0.0%), p99 1.2 ms; r1: ..."
  std::string numbers(const metrics::WindowSummary& release, const metrics::WindowSummary& baseline) const;

  // A bug in a strategy: the runner recovers (traffic back on the live release).
  [[noreturn]] static void unexpected(const Event& event, std::string_view state);

  Plan plan_;
  TrafficSplit traffic_;
  std::string reason_;

 private:
  enum class Undo { none, draining, stopping } undo_ = Undo::none;
};
}  // namespace baton::deploy::strategy
