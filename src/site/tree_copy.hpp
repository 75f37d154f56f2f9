#pragma once
// Copies a build directory into a new release directory: regular files (contents, mode and
// modification time, so ETags stay the same across releases), directories and symlinks (as
// links: where they point is checked when a request follows them). Every file and directory is
// fsynced before the copy counts as done. Anything else (devices, sockets, FIFOs) is refused.
#include <cstdint>
#include <expected>
#include <string>

namespace baton::site {
struct TreeStats {
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
};

// Copies the contents of the directory `src_dir` into the existing, empty directory `dst_dirfd`.
// Messages name the source path that failed.
std::expected<TreeStats, std::string> copy_tree(const std::string& src_dir, int dst_dirfd);
}  // namespace baton::site
