#pragma once
// The configuration a daemon was given at run time, beyond its --config file: the file last
// applied with `baton apply` and the services registered with `baton start NAME -- CMD`, so a
// restarted daemon (or one the CLI started in the background) runs the same things.
#include <map>
#include <optional>
#include <string>

#include "state/sqlite.hpp"

namespace baton::state {
struct AppliedConfig {
  std::string path;  // the file as named to `baton apply`
  std::string text;  // its contents when applied
};

class ConfigStore {
 public:
  explicit ConfigStore(Database& db) : db_(db) {}

  Result<std::optional<AppliedConfig>> applied();
  Status save_applied(const AppliedConfig& config);
  // Registered services by name: the TOML keys of each one's [services.NAME] table.
  Result<std::map<std::string, std::string>> registered();
  Status save_registered(const std::string& name, const std::string& toml);
  Status remove_registered(const std::string& name);

 private:
  Database& db_;
};
}  // namespace baton::state
