#pragma once
// Finds the file a static request names, beneath one release directory. ROOT/current is opened
// once per request and every later open is relative to that directory with RESOLVE_BENEATH: a
// swap during the request cannot mix releases, and no "..", absolute symlink or symlink
// pointing outside can reach a byte outside the release. Data path: no exceptions.
#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <string_view>

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

LookupResult look_up_static(const StaticSite& site, const LookupRequest& request);

// openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS): fails with EXDEV for anything that would
// leave `dirfd`. -1 with errno set on failure.
int open_beneath(int dirfd, const std::string& relative);
}  // namespace baton::proxy
