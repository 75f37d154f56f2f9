#pragma once
// App code as releases: `baton deploy NAME --from DIR|ARCHIVE` copies DIR (or unpacks the archive:
// tar, tar.gz, tar.bz2, tar.xz, tar.zst, zip) into
// HOME/apps/NAME/releases/<id>/, which becomes the release's cwd, so a rollback or a standby runs
// that release's own code. Copies follow the site publisher's rules (site/tree_copy.hpp: regular
// files, directories and symlinks only, every file fsynced); a copy that fails leaves nothing.
#include <expected>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "deploy/release.hpp"

namespace baton {
class AppArtifacts {
 public:
  explicit AppArtifacts(std::filesystem::path home) : apps_(std::move(home) / "apps") {}

  // A new release directory holding a copy of the directory `from` (an absolute path), or what
  // the archive `from` holds. Messages name `from` as `shown_as` when given (an upload's path on
  // the daemon is none of a remote client's business).
  // Each `shared` entry (a relative path) becomes a link to HOME/apps/NAME/shared/ENTRY, made on
  // first use: from what the first build holds there, else as an empty directory.
  std::expected<std::filesystem::path, std::string> store(const std::string& service, const std::string& from,
                                                          const std::vector<std::string>& shared = {},
                                                          const std::string& shown_as = {});
  // Removes a release directory of the service (one whose build failed); any other path is left.
  void discard(const std::string& service, const std::string& dir) const;
  // Removes the service's release directories that no kept release uses (`in_use`: their cwds), and
  // any copy a crash left half done. Returns how many went.
  std::size_t prune(const std::string& service, const std::set<std::string>& in_use) const;
  std::filesystem::path releases_dir(const std::string& service) const { return apps_ / service / "releases"; }
  std::filesystem::path shared_dir(const std::string& service) const { return apps_ / service / "shared"; }
  // Archives uploaded for a deploy (POST /v1/services/NAME/artifacts), named by their id until a
  // deploy takes one; an upload no deploy took within a day goes at the next upload.
  std::filesystem::path uploads_dir(const std::string& service) const { return apps_ / service / "uploads"; }
  void forget_stale_uploads(const std::string& service) const;

 private:
  std::filesystem::path apps_;
  unsigned sequence_ = 0;
};

// Every "{release_dir}" in the spec's command words and env values becomes `dir`, and `dir` its cwd.
void use_release_dir(deploy::ReleaseSpec& spec, const std::string& dir);
}  // namespace baton
