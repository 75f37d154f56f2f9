#pragma once
// Static sites in black-box tests: builds on disk, `baton site ...` runs, a daemon serving them.
#include <filesystem>
#include <string>
#include <vector>

#include "harness.hpp"

namespace baton::itest {
struct CommandResult {
  int code = -1;
  std::string out;
  std::string err;
};

class SiteTest : public IntegrationTest {
 protected:
  std::filesystem::path root() const { return dir_.path() / "site"; }
  // A build directory `name` under the temp dir with these files (relative path, contents).
  std::string make_build(const std::string& name, const std::vector<std::pair<std::string, std::string>>& files);
  // `baton site ARGS... --root ROOT` (or with the given config), to completion.
  CommandResult site(std::vector<std::string> args);
  CommandResult run(const std::string& name, std::vector<std::string> argv);
  CommandResult publish(const std::string& build, const std::string& version = "");
  // A daemon serving the site at ROOT on an ephemeral port; `keys` go into [sites.web].
  std::uint16_t start_site(const std::string& keys = "");
  std::string site_table(const std::string& keys = "") const;
  int runs_ = 0;
};
}  // namespace baton::itest
