#pragma once
// What the strategies share: the split they route, progress lines, and the undo
// of a new release that failed (out of traffic, drained if it had any, stopped).
#include <functional>

#include "deploy/strategy.hpp"

namespace baton::deploy::strategy {
class Base : public Strategy {
 protected:
  explicit Base(Plan plan) : plan_(std::move(plan)), traffic_(plan_.traffic) {}

  static Report step(std::string message);
  // Publishes traffic_.
  Route route() const { return Route{traffic_}; }
  // `notes` (reports, status changes) go after the route `commands` start with, if any: each is
  // a journal write that syncs to disk, and the switch must not wait for it.
  static Commands after_route(Commands commands, std::initializer_list<Command> notes);
  // "2 instance(s) of r1 drained: 5 finished, 0 cut"
  static Report drained(const Drained& done);

  // Starts every instance of the new release; gated() then answers until they are healthy and
  // the smoke hook passed, and calls `passed` then. Failures undo the new release.
  Commands start_gate(std::string_view detail = {});
  // The new release failed for `reason`: it leaves the split, drains if it had traffic, and
  // stops; after_undo() says what comes next.
  Commands fail(std::string reason);
  virtual Commands after_undo() { return {Finish{false, reason_}}; }
  // The replaced release drains and stops, then the deploy ends well.
  Commands retire_previous();
  // Carries on what Base runs itself (the gate, an undo, the retirement); nullopt when the event
  // is the strategy's own.
  std::optional<Commands> shared(const Event& event, const std::function<Commands()>& passed);
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
  enum class Phase { own, starting, smoke, undo_draining, undo_stopping, retire_draining, retire_stopping };
  Phase phase_ = Phase::own;
};
}  // namespace baton::deploy::strategy
