#pragma once
// `baton import pm2 FILE | --jlist FILE [--env NAME] [-o FILE [--force]]`: a PM2 setup as a Baton config.
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace baton::cli {
struct ImportCommand {
  std::string source;       // an ecosystem file (.js, .cjs, .mjs, .json), or `pm2 jlist` output; "-": stdin
  bool jlist = false;
  std::string env_name;     // --env NAME
  std::string output;       // -o FILE; empty: stdout
  bool force = false;       // overwrite an existing output file
};

class ImportArgs {
 public:
  explicit ImportArgs(CLI::App& app);
  std::optional<ImportCommand> parsed() const;

 private:
  CLI::App* pm2_ = nullptr;
  ImportCommand args_;
  std::string jlist_;
};

int run_import(const ImportCommand& command);
}  // namespace baton::cli
