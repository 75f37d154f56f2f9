#pragma once
// Writes the entries of a ustar archive into an empty release directory, never following a
// symlink on the way (a path through a link, or a name that appears twice, is refused). Every
// file and directory is fsynced, like a copied build, and files keep their modification time.
#include <expected>
#include <string>

#include "site/publish_error.hpp"
#include "site/archive_reader.hpp"
#include "site/tree_copy.hpp"

namespace baton::site {
// The archive's faults are `refused` (the message says what was wrong); the disk's are not.
std::expected<TreeStats, PublishError> extract_archive(ArchiveReader& reader, int dst_dirfd);
}  // namespace baton::site
