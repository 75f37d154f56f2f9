#pragma once
// Writes a build directory as a tar archive (through libarchive: ustar headers, pax ones where ustar
// cannot hold a long path or link), for a remote publish: regular files, directories and symlinks
// under relative paths, names sorted (the same build gives the same bytes), owner and group 0,
// modification times kept (ETags stay the same across releases). Anything else is an error naming
// it. Data goes to the sink in pieces.
#include <expected>
#include <functional>
#include <span>
#include <string>

#include "site/tree_copy.hpp"

namespace baton::site {
using TarSink = std::function<std::expected<void, std::string>(std::span<const char> bytes)>;

std::expected<TreeStats, std::string> write_tar(const std::string& dir, const TarSink& sink);
}  // namespace baton::site
