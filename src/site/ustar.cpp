#include "site/ustar.hpp"

#include <algorithm>
#include <cstring>

namespace baton::site::ustar {
std::uint32_t checksum(const Block& block) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < kBlock; ++i) {
    bool in_field = i >= kChecksum.offset && i < kChecksum.offset + kChecksum.length;
    sum += in_field ? static_cast<std::uint32_t>(' ') : static_cast<unsigned char>(block[i]);
  }
  return sum;
}

bool is_zero(const Block& block) {
  return std::ranges::all_of(block, [](char c) { return c == '\0'; });
}

std::size_t padding(std::uint64_t size) { return static_cast<std::size_t>((kBlock - size % kBlock) % kBlock); }

bool put_text(Block& block, Field field, std::string_view text) {
  if (text.size() > field.length) return false;
  std::ranges::copy(text, block.data() + field.offset);  // memcpy may not take the null data() of an empty view
  return true;
}

// Zero-padded digits and a terminating NUL, as GNU tar and bsdtar write them.
bool put_octal(Block& block, Field field, std::uint64_t value) {
  char* out = block.data() + field.offset;
  std::size_t digits = field.length - 1;
  out[digits] = '\0';
  for (std::size_t i = digits; i-- > 0; value >>= 3) out[i] = static_cast<char>('0' + (value & 7));
  return value == 0;
}

void seal(Block& block) {
  put_text(block, kMagic, kPosixMagic);
  // The checksum field is six digits, a NUL and a space.
  put_octal(block, {kChecksum.offset, 7}, checksum(block));
  block[kChecksum.offset + 7] = ' ';
}

std::optional<std::pair<std::string_view, std::string_view>> split_path(std::string_view path) {
  if (path.size() <= kName.length) return std::pair{std::string_view(), path};
  // The name part is what follows the last '/' that leaves it at most 100 bytes.
  for (auto slash = path.find('/'); slash != std::string_view::npos; slash = path.find('/', slash + 1)) {
    auto prefix = path.substr(0, slash);
    auto name = path.substr(slash + 1);
    if (prefix.size() > kPrefix.length) return std::nullopt;
    if (!name.empty() && name.size() <= kName.length) return std::pair{prefix, name};
  }
  return std::nullopt;
}

std::optional<std::uint64_t> get_octal(const Block& block, Field field) {
  std::string_view text(block.data() + field.offset, field.length);
  std::size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  std::uint64_t value = 0;
  std::size_t digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '7'; ++i, ++digits) {
    if (value > (UINT64_MAX >> 3)) return std::nullopt;
    value = value << 3 | static_cast<std::uint64_t>(text[i] - '0');
  }
  if (digits == 0) return std::nullopt;
  for (; i < text.size(); ++i)
    if (text[i] != '\0' && text[i] != ' ') return std::nullopt;
  return value;
}

std::string_view get_text(const Block& block, Field field) {
  std::string_view text(block.data() + field.offset, field.length);
  return text.substr(0, text.find('\0'));
}
}  // namespace baton::site::ustar
