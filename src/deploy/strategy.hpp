#pragma once
// A deploy strategy as a state machine: it takes events (instances healthy or
// failed, a hook's outcome, a drain or stop finished, a timer, a metrics window,
// an operator's command) and answers with commands (start, route, drain, stop,
// wait, observe, report, finish). It never touches the world nor reads a clock:
// the runner (Deployer::Run) carries the commands out and feeds back what
// happened, and tests drive a strategy with scripted events and times.
//
// Protocol: start() and every on() return commands the runner carries out in
// order. Report, Route, Retire and KeepWarm take effect at once; the others
// complete later with one event, so at most one of them is in a batch, and last.
// Finish ends the run (also last).
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "config/config.hpp"
#include "deploy/deploy_run.hpp"
#include "deploy/runtime.hpp"
#include "metrics/traffic.hpp"

namespace baton::deploy::strategy {
using Clock = std::chrono::steady_clock;

// What a canary is judged by and how it moves: the release's deploy settings.
using CanaryPlan = CanaryConfig;

// What a strategy knows when it starts.
struct Plan {
  std::string target;             // the release being deployed
  std::string previous;           // the live release it replaces ("" on a first deploy)
  unsigned total = 1;             // instances (or targets) the new release runs
  unsigned previous_count = 0;    // instances the previous release runs now
  unsigned max_surge = 1;
  bool rollback = false;          // the replaced release is not kept warm
  bool external = false;          // targets someone else runs: never kept warm
  bool worker = false;            // takes no requests: never kept warm (a standby would go on working)
  std::string standby;            // the warm standby from an earlier deploy ("" none)
  TrafficSplit traffic;           // the split serving now
  CanaryPlan canary;
  // Rolling and blue-green: after the switch, the new release is judged this long against the
  // one it replaced (the canary's thresholds) and rolled back if it fails; 0: no watch.
  std::chrono::milliseconds watch{0};
};

// ---- Commands
struct Report {  // a progress event; kind "step" is logged too
  DeployEvent event;
};
struct Route {  // publish this split
  TrafficSplit split;
};
struct StartInstances {  // run `release` at `count` instances; completes when [from, count) pass their checks
  std::string release;
  unsigned count = 0;
  unsigned from = 0;
};
struct RunHook {  // a hook of the new release ("smoke" gets the new instances' addresses); none set: passes
  std::string name;
};
struct Drain {  // waits for the exchanges in flight to `release`'s instances from index `from` on
  std::string release;
  unsigned from = 0;
};
struct Stop {  // stops `release`'s instances above `keep`
  std::string release;
  unsigned keep = 0;
};
struct Retire {  // a warm standby that is no longer wanted: marked retired (stop it with Stop)
  std::string release;
};
struct KeepWarm {  // the replaced release stays running without traffic, as the standby
  std::string release;
};
struct Wait {  // a timer; an operator's command ends it early
  std::chrono::milliseconds duration{0};
};
struct Observe {  // the traffic of `release` and `baseline` over a window; an operator's command ends it early
  std::string release;
  std::string baseline;
  std::chrono::milliseconds duration{0};
  bool whole_baseline = false;  // the baseline's every request so far, not the window's (it left the split)
};
struct Reinstate {  // the replaced release is live again (a watch that failed): no longer standby
  std::string release;
};
struct Finish {
  bool ok = true;
  std::string reason;  // why it failed
};
using Command = std::variant<Report, Route, StartInstances, RunHook, Drain, Stop, Retire, KeepWarm, Wait, Observe,
                             Reinstate, Finish>;
using Commands = std::vector<Command>;

// {0, ..., count - 1}: the instances a split keeps when a release shrinks.
std::set<unsigned> first_indexes(unsigned count);

// Whether the runner waits for an event after it.
bool completes_later(const Command& command);

// ---- Events
struct Healthy {
  std::string release;
};
struct Unhealthy {
  std::string release;
  std::string reason;
};
struct HookDone {
  std::string name;
  std::optional<std::string> error;  // set: the hook failed, and why
};
struct Drained {
  std::string release;
  std::size_t targets = 0;  // instances drained
  DrainReport report;
};
struct Stopped {
  std::string release;
};
struct TimerFired {};
struct WindowClosed {  // what each release served during the window
  metrics::TrafficSnapshot release;
  metrics::TrafficSnapshot baseline;
};
struct Operator {
  OperatorCommand command;
};
using Event = std::variant<Healthy, Unhealthy, HookDone, Drained, Stopped, TimerFired, WindowClosed, Operator>;

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual Commands start(Clock::time_point now) = 0;
  virtual Commands on(const Event& event, Clock::time_point now) = 0;
  // Whether promote and abort mean something to it (a canary).
  virtual bool takes_operator_commands() const { return false; }
};

std::unique_ptr<Strategy> make_rolling(Plan plan);
std::unique_ptr<Strategy> make_blue_green(Plan plan);
std::unique_ptr<Strategy> make_recreate(Plan plan);
std::unique_ptr<Strategy> make_canary(Plan plan);
// `inner` (rolling or blue-green), then a watch of plan.watch after its switch.
std::unique_ptr<Strategy> make_watched(std::unique_ptr<Strategy> inner, Plan plan, bool previous_stays_warm);
std::unique_ptr<Strategy> make(baton::Strategy kind, Plan plan);
}  // namespace baton::deploy::strategy
