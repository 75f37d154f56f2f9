#pragma once
// An uploaded archive on its way to becoming a release: spooled to an unnamed file in the
// site's root (same filesystem, nothing left behind by a crash, bounded memory for any size),
// then extracted by the strict tar reader through the site store's publish.
#include <cstdint>
#include <expected>
#include <string>

#include "control/control_server.hpp"
#include "site/file_util.hpp"
#include "site/site_store.hpp"

namespace baton {
inline constexpr std::uint64_t kMaxArchiveBytes = 16ull << 30;

struct UploadOptions {
  std::string version;
  bool require_index = true;
  unsigned keep = 5;
};

// An unnamed file (O_TMPFILE) in `root`, created when missing.
std::expected<site::Fd, std::string> open_spool(const std::string& root);
// The whole body into `spool`: its size, or why it did not arrive (too large, cut off).
awaitable<std::expected<std::uint64_t, std::string>> receive_body(control::BodyReader& body, int spool);
// On the disk thread: the spooled archive as a new live release of the site at `root`.
std::expected<site::ReleaseInfo, site::PublishError> publish_archive(const std::string& root, int spool,
                                                                     const UploadOptions& options);
}  // namespace baton
