#pragma once
// When an instance that ended on its own is started again (PM2's autorestart, stop_exit_codes,
// max_restarts): plain data and decisions, shared by the config reader and the supervisor.
#include <chrono>
#include <deque>
#include <optional>
#include <string_view>
#include <vector>

namespace baton {
enum class AutoRestart { always, on_failure, never };
std::string_view to_string(AutoRestart mode);
std::optional<AutoRestart> auto_restart_from(std::string_view name);

struct RestartPolicy {
  AutoRestart autorestart = AutoRestart::always;
  // Exit codes that end the instance cleanly: it is not started again, whatever `autorestart` says.
  std::vector<int> stop_exit_codes;
  // More restarts than this and the instance is left `errored`; unset: no limit. Counted as PM2 does
  // (restarts in a row after runs too short to count as started; a longer run starts the count
  // again), or, with restart_window, every restart within that sliding window.
  std::optional<unsigned> max_restarts;
  std::optional<std::chrono::milliseconds> restart_window;

  bool operator==(const RestartPolicy&) const = default;
};

// How a process ended, as far as the policy cares: its exit code, or nullopt when a signal killed it
// (always a failure).
bool wants_restart(const RestartPolicy& policy, std::optional<int> exit_code);

// The restarts of one instance that count against max_restarts.
class RestartBudget {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RestartBudget(const RestartPolicy& policy) : max_(policy.max_restarts), window_(policy.restart_window) {}

  // Records a restart at `now`, after a run that was `short_run` (shorter than min_uptime, or no
  // start at all), and says whether it is allowed; a refused one is not recorded.
  bool take(Clock::time_point now, bool short_run);
  unsigned used(Clock::time_point now);

 private:
  void forget_before(Clock::time_point now);

  std::optional<unsigned> max_;
  std::optional<std::chrono::milliseconds> window_;
  std::deque<Clock::time_point> restarts_;  // with a window
  unsigned in_a_row_ = 0;                   // without one
};
}  // namespace baton
