#pragma once
// `baton site publish|rollback|ls`: the arguments, added to the main parser.
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace baton::cli {
enum class SiteAction { publish, rollback, ls };

struct SiteCommand {
  SiteAction action = SiteAction::ls;
  std::string site;
  std::string dir;          // publish: the build to copy
  std::string version;      // publish: a label (default: the release id)
  std::string to;           // rollback: a release id (default: the one before the live one)
  std::string config_path;  // where the site's root and settings come from...
  std::string root;         // ...or the root given directly
  std::string remote;       // ...or a daemon's admin listener (http://HOST:PORT)
  std::string token_file;   // with remote: its bearer token
  bool no_index = false;    // publish even without index.html
  std::optional<unsigned> keep;
  bool json = false;        // ls
};

class SiteArgs {
 public:
  explicit SiteArgs(CLI::App& app);
  // The command, when `site` was on the command line.
  std::optional<SiteCommand> parsed() const;

 private:
  CLI::App* site_ = nullptr;
  CLI::App* publish_ = nullptr;
  CLI::App* rollback_ = nullptr;
  CLI::App* ls_ = nullptr;
  SiteCommand publish_args_, rollback_args_, ls_args_;
};
}  // namespace baton::cli
