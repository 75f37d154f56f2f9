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
    case baton::Strategy::blue_green: return make_blue_green(std::move(plan));
    case baton::Strategy::recreate: return make_recreate(std::move(plan));
    case baton::Strategy::canary: return make_canary(std::move(plan));
    case baton::Strategy::rolling: break;
  }
  return make_rolling(std::move(plan));
}

Report Base::step(std::string message) { return Report{DeployEvent{.kind = "step", .message = std::move(message)}}; }

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

Commands Base::fail(std::string reason) {
  reason_ = std::move(reason);
  bool had_traffic = traffic_.releases.erase(plan_.target) > 0;
  if (had_traffic) {
    undo_ = Undo::draining;
    return {route(), Drain{plan_.target, 0}};
  }
  undo_ = Undo::stopping;
  return {Stop{plan_.target, 0}};
}

std::optional<Commands> Base::undoing(const Event& event) {
  switch (undo_) {
    case Undo::none: return std::nullopt;
    case Undo::draining:
      if (!std::holds_alternative<Drained>(event)) unexpected(event, "undo: draining");
      undo_ = Undo::stopping;
      return Commands{Stop{plan_.target, 0}};
    case Undo::stopping:
      if (!std::holds_alternative<Stopped>(event)) unexpected(event, "undo: stopping");
      undo_ = Undo::none;
      return after_undo();
  }
  return std::nullopt;
}

void Base::unexpected(const Event& event, std::string_view state) {
  throw std::logic_error(fmt::format("deploy strategy: event #{} unexpected in state {}", event.index(), state));
}
}  // namespace baton::deploy::strategy
