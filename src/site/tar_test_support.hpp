#pragma once
// For the tar tests and the fuzz target: archives built in memory, entry by entry.
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "site/tar_reader.hpp"
#include "site/ustar.hpp"

namespace baton::site::testing {
inline std::string tar_header(std::string_view path, char type, std::size_t size, std::string_view link = {},
                              unsigned mode = 0644) {
  ustar::Block block{};
  auto split = ustar::split_path(path);
  ustar::put_text(block, ustar::kPrefix, split ? split->first : "");
  ustar::put_text(block, ustar::kName, split ? split->second : path.substr(0, 100));
  ustar::put_text(block, ustar::kLinkname, link);
  ustar::put_octal(block, ustar::kMode, mode);
  ustar::put_octal(block, ustar::kUid, 0);
  ustar::put_octal(block, ustar::kGid, 0);
  ustar::put_octal(block, ustar::kSize, size);
  ustar::put_octal(block, ustar::kMtime, 1700000000);
  block[ustar::kTypeflag.offset] = type;
  ustar::seal(block);
  return std::string(block.data(), block.size());
}

inline std::string tar_file(std::string_view path, std::string_view data) {
  return tar_header(path, ustar::kFile, data.size()) + std::string(data) + std::string(ustar::padding(data.size()), '\0');
}

inline std::string tar_end() { return std::string(2 * ustar::kBlock, '\0'); }

// A source over bytes in memory, handing out at most `step` bytes a call (short reads).
inline TarSource memory_source(std::string_view bytes, std::size_t step = 4096) {
  return [bytes, step](std::span<char> out) mutable -> std::expected<std::size_t, std::string> {
    auto n = std::min({out.size(), bytes.size(), step});
    std::memcpy(out.data(), bytes.data(), n);
    bytes.remove_prefix(n);
    return n;
  };
}
}  // namespace baton::site::testing
