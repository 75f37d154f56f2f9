#include "site/tar_reader.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include <fmt/format.h>

namespace baton::site {
namespace {
using ustar::Block;

constexpr std::size_t kSkipChunk = 64 * 1024;
using ustar::kGnuLongLink;
using ustar::kGnuLongName;
using ustar::kPaxGlobal;
using ustar::kPaxHeader;

// A name as messages show it: a pax path may be up to a megabyte long.
std::string shown(std::string_view name) {
  constexpr std::size_t kShown = 200;
  return name.size() > kShown ? std::string(name.substr(0, kShown)) + "..." : std::string(name);
}

bool is_extension(char type) {
  return type == kPaxHeader || type == kPaxGlobal || type == kGnuLongName || type == kGnuLongLink;
}

// A GNU long name is the data up to its NUL.
std::expected<std::string, std::string> long_name(std::string_view data, std::string_view what) {
  data = data.substr(0, data.find('\0'));
  if (data.empty()) return std::unexpected(fmt::format("an empty GNU long {}", what));
  return std::string(data);
}

// Reads exactly out.size() bytes unless the archive ends first; returns how many it got.
std::expected<std::size_t, std::string> read_full(TarSource& source, std::span<char> out) {
  std::size_t got = 0;
  while (got < out.size()) {
    auto n = source(out.subspan(got));
    if (!n) return std::unexpected(n.error());
    if (*n == 0) break;
    got += *n;
  }
  return got;
}

std::expected<char, std::string> supported_type(char type, std::string_view path) {
  switch (type) {
    case ustar::kFile:
    case ustar::kOldFile:
    case ustar::kDirectory:
    case ustar::kSymlink: return type;
    case ustar::kHardLink: return std::unexpected(fmt::format("'{}' is a hard link: not supported", path));
    case ustar::kCharDevice:
    case ustar::kBlockDevice: return std::unexpected(fmt::format("'{}' is a device file: refused", path));
    case ustar::kFifo: return std::unexpected(fmt::format("'{}' is a FIFO: refused", path));
    case kPaxHeader:
    case kPaxGlobal:
    case kGnuLongName:
    case kGnuLongLink: return type;
  }
  return std::unexpected(fmt::format("'{}' has an unknown entry type '{}'", path, type));
}

std::string full_name(const Block& block) {
  auto name = ustar::get_text(block, ustar::kName);
  auto prefix = ustar::get_text(block, ustar::kPrefix);
  bool posix = std::string_view(block.data() + ustar::kMagic.offset, ustar::kMagic.length) == ustar::kPosixMagic;
  if (!posix || prefix.empty()) return std::string(name);
  return fmt::format("{}/{}", prefix, name);
}
}  // namespace

std::expected<std::string, std::string> normalize_entry_path(std::string_view raw) {
  if (raw.starts_with('/')) return std::unexpected(fmt::format("'{}' is an absolute path", shown(raw)));
  std::string out;
  for (std::size_t start = 0; start <= raw.size();) {
    auto end = std::min(raw.find('/', start), raw.size());
    auto part = raw.substr(start, end - start);
    start = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") return std::unexpected(fmt::format("'{}' leaves the release (a '..' part)", shown(raw)));
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

bool link_stays_inside(std::string_view link_path, std::string_view target) {
  if (target.empty() || target.starts_with('/')) return false;
  auto depth = static_cast<long>(std::ranges::count(link_path, '/'));
  bool climbing = true;
  for (std::size_t start = 0; start <= target.size();) {
    auto end = std::min(target.find('/', start), target.size());
    auto part = target.substr(start, end - start);
    start = end + 1;
    if (part.empty() || part == ".") continue;
    if (part != "..") {
      climbing = false;
      continue;
    }
    if (!climbing || --depth < 0) return false;
  }
  return true;
}

std::expected<bool, std::string> TarReader::read_block(Block& block) {
  auto got = read_full(source_, block);
  if (!got) return std::unexpected(got.error());
  offset_ += *got;
  if (*got == 0) return false;
  if (*got < block.size()) return std::unexpected(fmt::format("truncated archive: it ends inside a header at byte {}", offset_));
  return true;
}

std::expected<void, std::string> TarReader::skip_rest() {
  std::array<char, kSkipChunk> sink;
  while (remaining_ > 0) {
    auto n = read_data(sink);
    if (!n) return std::unexpected(n.error());
  }
  return {};
}

// Two zero blocks end the archive; what may follow is the zero padding up to a record size.
std::expected<void, std::string> TarReader::check_end() {
  Block block;
  auto second = read_block(block);
  if (!second) return std::unexpected(second.error());
  if (!*second || !ustar::is_zero(block))
    return std::unexpected("truncated archive: one zero block instead of the two that end it");
  std::array<char, kSkipChunk> rest;
  for (;;) {
    auto n = source_(rest);
    if (!n) return std::unexpected(n.error());
    if (*n == 0) return {};
    if (!std::all_of(rest.begin(), rest.begin() + static_cast<long>(*n), [](char c) { return c == '\0'; }))
      return std::unexpected("data after the end of the archive");
  }
}

std::expected<std::optional<TarEntry>, std::string> TarReader::next() {
  if (ended_) return std::nullopt;
  if (auto skipped = skip_rest(); !skipped) return std::unexpected(skipped.error());
  for (;;) {
    Block block;
    auto got = read_block(block);
    if (!got) return std::unexpected(got.error());
    if (!*got) return std::unexpected("truncated archive: it ends without the end-of-archive marker");
    if (ustar::is_zero(block)) {
      if (extension_pending_) return std::unexpected("the archive ends right after an extended header");
      ended_ = true;
      if (auto end = check_end(); !end) return std::unexpected(end.error());
      return std::nullopt;
    }
    auto entry = parse(block);
    if (!entry || *entry) return entry;  // extended headers and the top directory ("./") are not entries
  }
}

std::expected<std::optional<TarEntry>, std::string> TarReader::parse(const Block& block) {
  auto name = pending_.path.value_or(full_name(block));
  auto raw = shown(name);
  auto stored = ustar::get_octal(block, ustar::kChecksum);
  if (!stored || *stored != ustar::checksum(block))
    return std::unexpected(fmt::format("bad header checksum at byte {} ('{}')", offset_ - ustar::kBlock, raw));
  auto magic = std::string_view(block.data() + ustar::kMagic.offset, ustar::kMagic.length);
  if (magic != ustar::kPosixMagic && magic != ustar::kGnuMagic)
    return std::unexpected(fmt::format("'{}': not a ustar header", raw));
  auto type = supported_type(block[ustar::kTypeflag.offset], raw);
  if (!type) return std::unexpected(type.error());
  auto mode = ustar::get_octal(block, ustar::kMode);
  auto size = ustar::get_octal(block, ustar::kSize);
  auto mtime = ustar::get_octal(block, ustar::kMtime);
  if (!mode || !size || !mtime) return std::unexpected(fmt::format("'{}' has a malformed mode, size or time", raw));
  if (is_extension(*type)) {
    if (auto read = read_extension(*type, *size, raw); !read) return std::unexpected(read.error());
    extension_pending_ = true;
    return std::optional<TarEntry>();
  }
  // Entries are what the archive holds; the extended headers in front of them do not count.
  if (++entries_ > limits_.max_entries)
    return std::unexpected(fmt::format("more than {} entries in the archive", limits_.max_entries));
  auto overrides = std::exchange(pending_, {});
  extension_pending_ = false;
  if (overrides.size) size = overrides.size;
  bool is_file = *type == ustar::kFile || *type == ustar::kOldFile;
  if (!is_file && *size != 0) return std::unexpected(fmt::format("'{}' is not a file but has data", raw));
  if (*size > limits_.max_bytes - bytes_)
    return std::unexpected(fmt::format("'{}' takes the archive past {} bytes of data", raw, limits_.max_bytes));
  auto path = normalize_entry_path(name);
  if (!path) return std::unexpected(path.error());
  if (path->empty()) {
    if (*type == ustar::kDirectory) return std::optional<TarEntry>();
    return std::unexpected(fmt::format("'{}' has no name", raw));
  }
  auto octal_mtime = static_cast<std::int64_t>(std::min<std::uint64_t>(*mtime, INT64_MAX));
  TarEntry entry{.type = is_file ? TarType::file : *type == ustar::kDirectory ? TarType::directory : TarType::symlink,
                 .path = std::move(*path),
                 .link_target = overrides.linkpath.value_or(std::string(ustar::get_text(block, ustar::kLinkname))),
                 .mode = static_cast<std::uint32_t>(*mode & 07777),
                 .mtime = overrides.mtime.value_or(octal_mtime),
                 .size = *size};
  if (entry.type == TarType::symlink && !link_stays_inside(entry.path, entry.link_target))
    return std::unexpected(
        fmt::format("'{}' links to '{}', outside the release", shown(entry.path), shown(entry.link_target)));
  bytes_ += *size;
  remaining_ = *size;
  pad_ = ustar::padding(*size);
  current_ = entry.path;
  return entry;
}

// The data of a pax or GNU header, read whole (it is small) and kept for the entry after it.
std::expected<void, std::string> TarReader::read_extension(char type, std::uint64_t size, std::string_view raw) {
  if (size > pax::kMaxHeaderBytes)
    return std::unexpected(fmt::format("'{}': an extended header of {} bytes (at most {})", raw, size, pax::kMaxHeaderBytes));
  std::string data(static_cast<std::size_t>(size) + ustar::padding(size), '\0');
  auto got = read_full(source_, data);
  if (!got) return std::unexpected(got.error());
  offset_ += *got;
  if (*got < data.size()) return std::unexpected(fmt::format("truncated archive: the extended header '{}' ends early", raw));
  data.resize(static_cast<std::size_t>(size));
  switch (type) {
    case kPaxHeader: {
      auto parsed = pax::parse(data, pending_);
      if (!parsed) return std::unexpected(fmt::format("'{}': {}", raw, parsed.error()));
      return {};
    }
    case kPaxGlobal: {
      auto checked = pax::check_global(data);
      if (!checked) return std::unexpected(fmt::format("'{}': {}", raw, checked.error()));
      return {};
    }
    case kGnuLongName:
    case kGnuLongLink: {
      auto name = long_name(data, type == kGnuLongName ? "name" : "link target");
      if (!name) return std::unexpected(name.error());
      (type == kGnuLongName ? pending_.path : pending_.linkpath) = std::move(*name);
      return {};
    }
  }
  return {};
}

std::expected<std::size_t, std::string> TarReader::read_data(std::span<char> out) {
  if (remaining_ == 0) return 0;
  auto want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), remaining_));
  auto got = read_full(source_, out.first(want));
  if (!got) return std::unexpected(got.error());
  offset_ += *got;
  if (*got < want) return std::unexpected(fmt::format("truncated archive: '{}' ends early", current_));
  remaining_ -= *got;
  if (remaining_ == 0 && pad_ > 0) {
    std::array<char, ustar::kBlock> padding;
    auto padded = read_full(source_, std::span(padding).first(pad_));
    if (!padded) return std::unexpected(padded.error());
    offset_ += *padded;
    if (*padded < pad_) return std::unexpected(fmt::format("truncated archive: '{}' ends early", current_));
    pad_ = 0;
  }
  return *got;
}
}  // namespace baton::site
