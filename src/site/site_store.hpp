#pragma once
// A site's releases on disk: ROOT/releases/<id>/ directories and ROOT/current, a relative
// symlink to "releases/<id>". Publishing and rolling back replace `current` by rename(2) of a
// fresh symlink, which is atomic: a reader sees the old release or the new one, never neither.
// Publishes and rollbacks of one root are serialised by a lock on ROOT/.lock.
#include <expected>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "site/file_util.hpp"
#include "site/publish_error.hpp"
#include "site/release_meta.hpp"
#include "site/tree_copy.hpp"

namespace baton::site {
inline constexpr std::string_view kCurrentLink = "current";
inline constexpr std::string_view kReleasesDir = "releases";

struct PublishOptions {
  std::string version;         // empty: the release id
  bool require_index = true;   // refuse a build without index.html at its top
  unsigned keep = 5;           // releases kept afterwards (the live one and its predecessor always)
};

// Fills the new, empty release directory (a copy of a build, an archive's entries).
using TreeFiller = std::function<std::expected<TreeStats, PublishError>(int release_dirfd)>;

struct ReleaseInfo {
  std::string id;
  ReleaseMeta meta;
  bool has_meta = false;  // false: made by hand or by an older tool
  bool live = false;
};

class SiteStore {
 public:
  // Creates ROOT and ROOT/releases when missing.
  static std::expected<SiteStore, std::string> open(const std::string& root);

  // Copies `build_dir` into a new release, checks and fsyncs it, makes it live, prunes.
  // On any failure the partial release is removed and `current` is untouched.
  std::expected<ReleaseInfo, std::string> publish(const std::string& build_dir, const PublishOptions& options);
  // The same with the release's contents from `fill`; `source` names them in messages.
  std::expected<ReleaseInfo, PublishError> publish_tree(const TreeFiller& fill, std::string_view source,
                                                        const PublishOptions& options);
  // Makes `to` (or, when empty, the release before the live one) live. Returns its id.
  std::expected<std::string, std::string> rollback(std::string_view to);
  // Oldest first.
  std::expected<std::vector<ReleaseInfo>, std::string> list() const;
  // The live release's id; "" when nothing is published yet.
  std::expected<std::string, std::string> live() const;

 private:
  SiteStore(std::string root, Fd root_fd) : root_(std::move(root)), root_fd_(std::move(root_fd)) {}
  std::expected<Fd, std::string> lock() const;
  std::expected<std::vector<std::string>, std::string> ids() const;
  Status make_live(const std::string& id);
  Status prune(unsigned keep);
  std::expected<std::string, std::string> new_release_id() const;
  std::expected<ReleaseInfo, PublishError> fill_release(const TreeFiller& fill, std::string_view source,
                                                        const std::string& id, const std::string& partial,
                                                        const PublishOptions& options);

  std::string root_;
  Fd root_fd_;
};

// The release ids under an open ROOT directory, oldest first (nothing on error). For the data
// path: no exceptions but allocation.
std::vector<std::string> list_release_ids(int root_fd);
// The id `current` points at, or "" (no link, or not a release).
std::string read_live_id(int root_fd);
}  // namespace baton::site
