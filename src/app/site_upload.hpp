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
// Why an upload was not spooled, with the status that answers it: the client's
// fault (cut off, bad framing: 400; too large: 413) or the server's (a full disk: 507; other: 500).
struct SpoolError {
  unsigned status = 400;
  std::string message;
};
// The whole body into `spool`: its size, or why it did not arrive.
awaitable<std::expected<std::uint64_t, SpoolError>> receive_body(control::BodyReader& body, int spool);
// On the disk thread: the spooled archive as a new live release of the site at `root`.
std::expected<site::ReleaseInfo, site::PublishError> publish_archive(const std::string& root, int spool,
                                                                     const UploadOptions& options);
}  // namespace baton
