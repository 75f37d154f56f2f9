#pragma once
// The state of mapping one PM2 app, shared by the files that each map a group of its options.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cli/pm2_app.hpp"

namespace baton::cli::pm2_detail {
class AppMapping {
 public:
  AppMapping(const nlohmann::json& app, const Pm2AppContext& context) : app_(app), context_(context) {}

  // The option's value, or null when the app does not set it; either way it counts as mapped.
  const nlohmann::json* take(std::string_view option);
  // The first of two spellings PM2 accepts (`uid` for `user`...), both counted as mapped.
  const nlohmann::json* take_either(std::string_view option, std::string_view alias);
  bool taken(const std::string& option) const { return taken_.contains(option); }

  void key(std::string name, TomlItem value, std::string note = {});
  // "OPTION = VALUE: why" under the service.
  void note(std::string_view option, const nlohmann::json& value, std::string_view why);

  const nlohmann::json& app() const { return app_; }
  const Pm2AppContext& context() const { return context_; }
  ServiceDraft& draft() { return draft_; }
  std::int64_t instances = 1;

 private:
  const nlohmann::json& app_;
  const Pm2AppContext& context_;
  ServiceDraft draft_;
  std::set<std::string> taken_;
};

// A whole number from a JSON number or a numeric string.
std::optional<std::int64_t> whole_number(const nlohmann::json& value);
// A duration from PM2's milliseconds (a number or numeric string) or a string with a unit ("2s").
std::optional<std::string> duration_from_millis(const nlohmann::json& value);

// max_memory_restart, kill_timeout, min_uptime and the restart policy.
void map_limits_and_restarts(AppMapping& mapping);
// merge_logs, the log files, user and group.
void map_logs_and_account(AppMapping& mapping);
// Every option not mapped yet: a note saying what Baton does instead, or that PM2 has no such option.
void note_remaining_options(AppMapping& mapping);
}  // namespace baton::cli::pm2_detail
