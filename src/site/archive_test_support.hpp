#pragma once
// For the archive tests and the fuzz target: tar archives built in memory byte by byte, broken
// ones included (no archiver writes a bad checksum or a malformed pax record on request).
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "site/archive_reader.hpp"

namespace baton::site::testing {
inline constexpr std::size_t kBlock = 512;
inline constexpr char kFile = '0';
inline constexpr char kHardLink = '1';
inline constexpr char kSymlink = '2';
inline constexpr char kCharDevice = '3';
inline constexpr char kBlockDevice = '4';
inline constexpr char kDirectory = '5';
inline constexpr char kFifo = '6';
inline constexpr std::size_t kSizeOffset = 124;

inline std::size_t padding(std::size_t size) { return (kBlock - size % kBlock) % kBlock; }

// Recomputes a header's checksum after a test changed its bytes.
inline void reseal(std::span<char, kBlock> block) {
  std::memset(block.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (char c : block) sum += static_cast<unsigned char>(c);
  auto text = fmt::format("{:06o}", sum);
  std::memcpy(block.data() + 148, text.data(), 6);
  block[154] = '\0';
}

// A ustar header (POSIX magic); a path over 100 bytes goes to the prefix field when it can.
inline std::string tar_header(std::string_view path, char type, std::size_t size, std::string_view link = {},
                              unsigned mode = 0644) {
  std::array<char, kBlock> block{};
  auto put = [&](std::size_t offset, std::size_t length, std::string_view text) {
    if (!text.empty()) std::memcpy(block.data() + offset, text.data(), std::min(text.size(), length));
  };
  auto octal = [&](std::size_t offset, std::size_t length, unsigned long long value) {
    put(offset, length, fmt::format("{:0{}o}", value, length - 1));
  };
  std::string_view prefix, name = path;
  if (auto slash = path.substr(0, 156).rfind('/'); path.size() > 100 && slash != std::string_view::npos) {
    prefix = path.substr(0, slash);
    name = path.substr(slash + 1);
  }
  put(0, 100, name);
  octal(100, 8, mode);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(kSizeOffset, 12, size);
  octal(136, 12, 1700000000);
  block[156] = type;
  put(157, 100, link);
  put(257, 8, std::string_view("ustar\0" "00", 8));
  put(345, 155, prefix);
  reseal(block);
  return std::string(block.data(), block.size());
}

inline std::string tar_file(std::string_view path, std::string_view data) {
  return tar_header(path, kFile, data.size()) + std::string(data) + std::string(padding(data.size()), '\0');
}

inline std::string tar_end() { return std::string(2 * kBlock, '\0'); }

// "LEN key=value\n", where LEN counts the whole record, its own digits included.
inline std::string pax_record(std::string_view key, std::string_view value) {
  auto body = key.size() + value.size() + 3;  // ' ', '=', '\n'
  auto length = body + fmt::formatted_size("{}", body);
  if (fmt::formatted_size("{}", length) > fmt::formatted_size("{}", body)) ++length;
  return fmt::format("{} {}={}\n", length, key, value);
}

// An extended header ('x', 'g', 'L' or 'K') with its data and padding.
inline std::string extension(char type, std::string_view data) {
  return tar_header("././@PaxHeader", type, data.size()) + std::string(data) + std::string(padding(data.size()), '\0');
}

// A source over bytes in memory, handing out at most `step` bytes a call (short reads), and
// seekable unless told not to be.
inline ArchiveSource memory_source(std::string_view bytes, std::size_t step = 4096, bool seekable = true) {
  auto at = std::make_shared<std::size_t>(0);
  ArchiveSource source;
  source.read = [bytes, step, at](std::span<char> out) -> std::expected<std::size_t, std::string> {
    auto n = std::min({out.size(), bytes.size() - *at, step});
    if (n > 0) std::memcpy(out.data(), bytes.data() + *at, n);
    *at += n;
    return n;
  };
  if (seekable)
    source.seek = [bytes, at](std::int64_t offset, int whence) -> std::int64_t {
      std::int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? static_cast<std::int64_t>(*at)
                                                                      : static_cast<std::int64_t>(bytes.size());
      auto to = base + offset;
      if (to < 0) return -1;
      *at = std::min(static_cast<std::size_t>(to), bytes.size());
      return static_cast<std::int64_t>(*at);
    };
  return source;
}
}  // namespace baton::site::testing
