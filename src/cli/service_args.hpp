#pragma once
// The command-line words of `scale`, `stop`, `start`, `restart`, `delete`, `apply` and `shutdown`.
#include <optional>
#include <vector>

#include "cli/command_line.hpp"

namespace CLI {
class App;
}

namespace baton::cli {
class ServiceArgs {
 public:
  ServiceArgs(CLI::App& app, const std::string& home);
  // The command, when one of these was on the command line; `progress` picks the display.
  std::optional<Command> parsed(Progress (*progress)(bool json)) const;

 private:
  struct Action {
    CLI::App* app = nullptr;
    ServiceCommand args;
    bool json = false;
  };
  void add(CLI::App& app, const std::string& home, const char* name, const char* help);
  static void add_registration(CLI::App& start, ServiceCommand& args);
  struct Setting {
    const char* key;   // the config key
    std::string value;  // empty: not given
  };
  // `start` registration options that are plain config keys (--max-memory 512m → max_memory).
  std::vector<Setting> settings_;

  std::vector<Action> actions_;  // reserved up front: CLI11 keeps pointers into it
  CLI::App* shutdown_ = nullptr;
  ShutdownCommand shutdown_args_;
  CLI::App* apply_ = nullptr;
  ApplyCommand apply_args_;
  bool apply_json_ = false;
};
}  // namespace baton::cli
