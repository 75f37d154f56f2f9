#include "site/tar_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include <fmt/format.h>

#include "site/file_util.hpp"
#include "site/pax.hpp"
#include "site/ustar.hpp"

namespace baton::site {
namespace {
constexpr std::size_t kReadChunk = 1 << 20;
const ustar::Block kZeroBlock{};

struct Writer {
  const TarSink& sink;
  TreeStats stats;
  std::vector<char> buffer = std::vector<char>(kReadChunk);

  Status header(const std::string& path, const struct stat& st, char type, std::string_view link);
  Status extended_header(const std::string& records);
  Status file(int dir, const std::string& name, const std::string& path, const struct stat& st);
  Status link(int dir, const std::string& name, const std::string& path, const struct stat& st);
  Status entry(int dir, const std::string& name, const std::string& path);
  Status tree(int dir, const std::string& prefix);
};

// An entry that plain ustar cannot hold (a path or link target too long, a file of 8 GiB or
// more) is preceded by a pax extended header with the values that did not fit; its ustar fields
// keep what does fit, as GNU tar and bsdtar write them.
Status Writer::header(const std::string& path, const struct stat& st, char type, std::string_view link) {
  ustar::Block block{};
  auto size = type == ustar::kFile ? static_cast<std::uint64_t>(st.st_size) : 0;
  std::string records;
  auto split = ustar::split_path(path);
  if (!split) {
    records += pax::record("path", path);
    split = std::pair{std::string_view(), std::string_view(path).substr(0, ustar::kName.length)};
  }
  if (link.size() > ustar::kLinkname.length) records += pax::record("linkpath", link);
  if (!ustar::put_octal(block, ustar::kSize, size)) {
    records += pax::record("size", std::to_string(size));
    ustar::put_octal(block, ustar::kSize, 0);
  }
  auto mtime = static_cast<std::uint64_t>(std::max<time_t>(st.st_mtime, 0));
  if (!ustar::put_octal(block, ustar::kMtime, mtime)) {  // past the year 2242
    records += pax::record("mtime", std::to_string(mtime));
    ustar::put_octal(block, ustar::kMtime, 0);
  }
  if (!records.empty())
    if (auto written = extended_header(records); !written) return written;
  ustar::put_text(block, ustar::kPrefix, split->first);
  ustar::put_text(block, ustar::kName, split->second);
  ustar::put_text(block, ustar::kLinkname, link.substr(0, ustar::kLinkname.length));
  ustar::put_octal(block, ustar::kMode, st.st_mode & 07777);
  ustar::put_octal(block, ustar::kUid, 0);
  ustar::put_octal(block, ustar::kGid, 0);
  block[ustar::kTypeflag.offset] = type;
  ustar::seal(block);
  return sink(block);
}

Status Writer::extended_header(const std::string& records) {
  ustar::Block block{};
  ustar::put_text(block, ustar::kName, "././@PaxHeader");
  ustar::put_octal(block, ustar::kMode, 0644);
  ustar::put_octal(block, ustar::kUid, 0);
  ustar::put_octal(block, ustar::kGid, 0);
  ustar::put_octal(block, ustar::kSize, records.size());
  ustar::put_octal(block, ustar::kMtime, 0);  // the entry's own time is in its header or records
  block[ustar::kTypeflag.offset] = ustar::kPaxHeader;
  ustar::seal(block);
  if (auto sent = sink(block); !sent) return sent;
  if (auto sent = sink(std::span(records.data(), records.size())); !sent) return sent;
  if (auto pad = ustar::padding(records.size()); pad > 0) return sink(std::span(kZeroBlock.data(), pad));
  return {};
}

Status Writer::file(int dir, const std::string& name, const std::string& path, const struct stat& st) {
  Fd in(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in) return std::unexpected(errno_message("cannot open", path));
  if (auto written = header(path, st, ustar::kFile, {}); !written) return written;
  auto left = static_cast<std::uint64_t>(st.st_size);
  while (left > 0) {
    auto n = ::read(in.get(), buffer.data(), static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size())));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(errno_message("cannot read", path));
    if (n == 0) return std::unexpected(fmt::format("'{}' got shorter while it was being sent", path));
    if (auto sent = sink(std::span(buffer.data(), static_cast<std::size_t>(n))); !sent) return sent;
    left -= static_cast<std::uint64_t>(n);
  }
  if (auto pad = ustar::padding(static_cast<std::uint64_t>(st.st_size)); pad > 0)
    if (auto sent = sink(std::span(kZeroBlock.data(), pad)); !sent) return sent;
  ++stats.files;
  stats.bytes += static_cast<std::uint64_t>(st.st_size);
  return {};
}

Status Writer::link(int dir, const std::string& name, const std::string& path, const struct stat& st) {
  auto target = read_link_at(dir, name.c_str());
  if (!target) return std::unexpected(errno_message("cannot read the link", path));
  ++stats.files;
  return header(path, st, ustar::kSymlink, *target);
}

Status Writer::entry(int dir, const std::string& name, const std::string& path) {
  struct stat st{};
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return std::unexpected(errno_message("cannot inspect", path));
  if (S_ISREG(st.st_mode)) return file(dir, name, path, st);
  if (S_ISLNK(st.st_mode)) return link(dir, name, path, st);
  if (!S_ISDIR(st.st_mode))
    return std::unexpected(fmt::format("cannot publish '{}': not a regular file, directory or symlink", path));
  if (auto written = header(path + "/", st, ustar::kDirectory, {}); !written) return written;
  Fd sub(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!sub) return std::unexpected(errno_message("cannot open", path));
  return tree(sub.get(), path + "/");
}

Status Writer::tree(int dir, const std::string& prefix) {
  auto names = list_dir(dir, prefix.empty() ? std::string(".") : prefix);
  if (!names) return std::unexpected(names.error());
  std::ranges::sort(*names);
  for (const auto& name : *names)
    if (auto written = entry(dir, name, prefix + name); !written) return written;
  return {};
}
}  // namespace

std::expected<TreeStats, std::string> write_tar(const std::string& dir, const TarSink& sink) {
  Fd top(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!top) return std::unexpected(errno_message("cannot open the build directory", dir));
  Writer writer{.sink = sink};
  if (auto written = writer.tree(top.get(), ""); !written) return std::unexpected(written.error());
  for (int i = 0; i < 2; ++i)
    if (auto sent = sink(kZeroBlock); !sent) return std::unexpected(sent.error());
  return writer.stats;
}
}  // namespace baton::site
