#pragma once
// Finds the file a static request names, beneath one release directory. ROOT/current is opened
// once per request and every later open is relative to that directory with RESOLVE_BENEATH: a
// swap during the request cannot mix releases, and no "..", absolute symlink or symlink
// pointing outside can reach a byte outside the release. Data path: no exceptions.
#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/static_site.hpp"
#include "site/file_util.hpp"

namespace baton::proxy {
enum class LookupOutcome : std::uint8_t {
  found,            // `file` is open
  redirect_slash,   // a directory named without its trailing slash
  not_found,
  not_published,    // ROOT/current cannot be opened
};

enum class FileOrigin : std::uint8_t { exact, spa_fallback, not_found_page, earlier_release };

struct LookupResult {
  LookupOutcome outcome = LookupOutcome::not_found;
  FileOrigin origin = FileOrigin::exact;
  site::Fd file;
  struct stat st{};
  std::string name;          // the path looked up, for its content type and cache policy
  std::string_view coding;   // "br", "gzip" or "" for the file's Content-Encoding
  bool compressible = false; // the response varies with Accept-Encoding
};

struct LookupRequest {
  std::string_view relative;  // from normalize_file_path
  bool trailing_slash = false;
  bool accepts_br = false;
  bool accepts_gzip = false;
};

// The live release directory of each site one worker serves, kept open between requests.
// `current` is still read on every request (a readlink, where opening it cost an open and a
// close), so a swap takes effect with the next request; only when `current` names another
// release is that one opened. One per worker thread: no locking.
class ReleaseDirCache {
 public:
  // A borrowed descriptor of the release `current` names now, or -1 when it names none.
  int live_release(const StaticSite& site);
  // Whether `current` still names the release the last call returned (a cached one).
  bool still_live(const StaticSite& site) const;
  // The release went away under a cached descriptor: the next call opens it again.
  void forget(const StaticSite& site);
  // A new route table may have dropped sites: their directories are let go.
  void clear() { entries_.clear(); }

 private:
  struct Entry {
    std::string current_path;
    std::string target;  // what `current` named when `dir` was opened
    site::Fd dir;
  };
  std::vector<Entry>::const_iterator find(const StaticSite& site) const;
  std::vector<Entry>::iterator find(const StaticSite& site);
  std::vector<Entry> entries_;
};

LookupResult look_up_static(const StaticSite& site, const LookupRequest& request, ReleaseDirCache& releases);

// openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS): fails with EXDEV for anything that would
// leave `dirfd`. -1 with errno set on failure.
int open_beneath(int dirfd, const std::string& relative);
}  // namespace baton::proxy
