#include "base/restart_policy.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace baton {
namespace {
constexpr std::array<std::pair<std::string_view, AutoRestart>, 3> kModes = {
    {{"always", AutoRestart::always}, {"on-failure", AutoRestart::on_failure}, {"never", AutoRestart::never}}};
}  // namespace

std::string_view to_string(AutoRestart mode) {
  for (const auto& [name, value] : kModes)
    if (value == mode) return name;
  return "always";
}

std::optional<AutoRestart> auto_restart_from(std::string_view name) {
  for (const auto& [text, value] : kModes)
    if (text == name) return value;
  return std::nullopt;
}

bool wants_restart(const RestartPolicy& policy, std::optional<int> exit_code) {
  if (exit_code && std::ranges::find(policy.stop_exit_codes, *exit_code) != policy.stop_exit_codes.end())
    return false;
  switch (policy.autorestart) {
    case AutoRestart::always: return true;
    case AutoRestart::never: return false;
    case AutoRestart::on_failure: return !exit_code || *exit_code != 0;
  }
  return true;
}

void RestartBudget::forget_before(Clock::time_point now) {
  while (window_ && !restarts_.empty() && now - restarts_.front() >= *window_) restarts_.pop_front();
}

bool RestartBudget::take(Clock::time_point now, bool short_run) {
  if (!max_) return true;  // without a limit nothing needs counting
  if (!window_) {
    if (!short_run) in_a_row_ = 0;
    if (in_a_row_ >= *max_) return false;
    ++in_a_row_;
    return true;
  }
  forget_before(now);
  if (restarts_.size() >= *max_) return false;
  restarts_.push_back(now);
  return true;
}

unsigned RestartBudget::used(Clock::time_point now) {
  if (!window_) return in_a_row_;
  forget_before(now);
  return static_cast<unsigned>(restarts_.size());
}
}  // namespace baton
