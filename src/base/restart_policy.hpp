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

inline constexpr std::chrono::milliseconds kDefaultRestartWindow{60'000};

struct RestartPolicy {
  AutoRestart autorestart = AutoRestart::always;
  // Exit codes that end the instance cleanly: it is not started again, whatever `autorestart` says.
  std::vector<int> stop_exit_codes;
  // More restarts than this within restart_window and the instance is left `errored`; unset: no limit.
  std::optional<unsigned> max_restarts;
  std::chrono::milliseconds restart_window = kDefaultRestartWindow;

  bool operator==(const RestartPolicy&) const = default;
};

// How a process ended, as far as the policy cares: its exit code, or nullopt when a signal killed it
// (always a failure).
bool wants_restart(const RestartPolicy& policy, std::optional<int> exit_code);

// The restarts of one instance within the sliding window.
class RestartBudget {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RestartBudget(const RestartPolicy& policy) : max_(policy.max_restarts), window_(policy.restart_window) {}

  // Records a restart at `now` and says whether it is allowed; a refused one is not recorded.
  bool take(Clock::time_point now);
  unsigned used(Clock::time_point now);

 private:
  void forget_before(Clock::time_point now);

  std::optional<unsigned> max_;
  std::chrono::milliseconds window_;
  std::deque<Clock::time_point> restarts_;
};
}  // namespace baton
