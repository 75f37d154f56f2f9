#pragma once
// POSIX ustar headers (the 512-byte blocks of a tar archive), shared by the CLI's writer and the
// daemon's strict reader. Hand-written on purpose: no tar library is among the project's
// dependencies (Debian packages already used), and the subset a site needs is small.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace baton::site::ustar {
inline constexpr std::size_t kBlock = 512;
using Block = std::array<char, kBlock>;

struct Field {
  std::size_t offset;
  std::size_t length;
};
inline constexpr Field kName{0, 100};
inline constexpr Field kMode{100, 8};
inline constexpr Field kUid{108, 8};
inline constexpr Field kGid{116, 8};
inline constexpr Field kSize{124, 12};
inline constexpr Field kMtime{136, 12};
inline constexpr Field kChecksum{148, 8};
inline constexpr Field kTypeflag{156, 1};
inline constexpr Field kLinkname{157, 100};
inline constexpr Field kMagic{257, 8};  // "ustar\0" "00" (POSIX) or "ustar  \0" (GNU)
inline constexpr Field kPrefix{345, 155};

inline constexpr char kFile = '0';
inline constexpr char kOldFile = '\0';
inline constexpr char kHardLink = '1';
inline constexpr char kSymlink = '2';
inline constexpr char kCharDevice = '3';
inline constexpr char kBlockDevice = '4';
inline constexpr char kDirectory = '5';
inline constexpr char kFifo = '6';
// Extended headers: their data describes the entry after them (site/pax.hpp).
inline constexpr char kPaxHeader = 'x';
inline constexpr char kPaxGlobal = 'g';
inline constexpr char kGnuLongName = 'L';
inline constexpr char kGnuLongLink = 'K';
inline constexpr std::string_view kPosixMagic{"ustar\0" "00", 8};
inline constexpr std::string_view kGnuMagic{"ustar  \0", 8};

// The sum of the header's bytes (unsigned) with the checksum field counted as spaces.
std::uint32_t checksum(const Block& block);
bool is_zero(const Block& block);
// Bytes of padding after `size` bytes of data, up to the next block.
std::size_t padding(std::uint64_t size);

// Writing: false when the value does not fit the field.
bool put_text(Block& block, Field field, std::string_view text);
bool put_octal(Block& block, Field field, std::uint64_t value);
// Magic, version and checksum: the last step before the block is written.
void seal(Block& block);
// A path as ustar's prefix and name (split at a '/'); nullopt when it cannot fit.
std::optional<std::pair<std::string_view, std::string_view>> split_path(std::string_view path);

// Reading. Octal: optional leading spaces, at least one digit, then only NULs or spaces (no
// base-256, no sign); nullopt otherwise or when the value overflows.
std::optional<std::uint64_t> get_octal(const Block& block, Field field);
// The field up to its first NUL (the whole field when it has none).
std::string_view get_text(const Block& block, Field field);
}  // namespace baton::site::ustar
