#include "site/tar_writer.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "site/file_util.hpp"
#include "site/utf8_names.hpp"

namespace baton::site {
namespace {
constexpr std::size_t kReadChunk = 1 << 20;

struct ArchiveFree {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
struct EntryFree {
  void operator()(::archive_entry* e) const { archive_entry_free(e); }
};

struct Writer {
  const TarSink& sink;
  struct archive* out = nullptr;
  std::string sink_error;  // the sink's own, when it failed
  TreeStats stats;
  std::vector<char> buffer = std::vector<char>(kReadChunk);

  static la_ssize_t write(struct archive* a, void* self, const void* data, std::size_t size) {
    auto& writer = *static_cast<Writer*>(self);
    if (auto sent = writer.sink(std::span(static_cast<const char*>(data), size)); !sent) {
      writer.sink_error = sent.error();
      archive_set_error(a, EIO, "%s", writer.sink_error.c_str());
      return -1;
    }
    return static_cast<la_ssize_t>(size);
  }

  std::string error(std::string_view path) const {
    if (!sink_error.empty()) return sink_error;
    return fmt::format("cannot archive '{}': {}", path, archive_error_string(out) ? archive_error_string(out) : "?");
  }
  Status header(const std::string& path, const struct stat& st, std::string_view link);
  Status file(int dir, const std::string& name, const std::string& path, const struct stat& st);
  Status link(int dir, const std::string& name, const std::string& path, const struct stat& st);
  Status entry(int dir, const std::string& name, const std::string& path);
  Status tree(int dir, const std::string& prefix);
};

// Owner and group 0 and no names: the same build gives the same bytes on any machine.
Status Writer::header(const std::string& path, const struct stat& st, std::string_view link) {
  std::unique_ptr<::archive_entry, EntryFree> e(archive_entry_new());
  archive_entry_set_pathname_utf8(e.get(), path.c_str());
  archive_entry_set_filetype(e.get(), st.st_mode & S_IFMT);
  archive_entry_set_perm(e.get(), st.st_mode & 07777);
  archive_entry_set_uid(e.get(), 0);
  archive_entry_set_gid(e.get(), 0);
  archive_entry_set_mtime(e.get(), std::max<time_t>(st.st_mtime, 0), 0);
  archive_entry_set_size(e.get(), S_ISREG(st.st_mode) ? st.st_size : 0);
  if (S_ISLNK(st.st_mode)) archive_entry_set_symlink_utf8(e.get(), std::string(link).c_str());
  if (archive_write_header(out, e.get()) != ARCHIVE_OK) return std::unexpected(error(path));
  return {};
}

Status Writer::file(int dir, const std::string& name, const std::string& path, const struct stat& st) {
  Fd in(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in) return std::unexpected(errno_message("cannot open", path));
  if (auto written = header(path, st, {}); !written) return written;
  auto left = static_cast<std::uint64_t>(st.st_size);
  while (left > 0) {
    auto n = ::read(in.get(), buffer.data(), static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size())));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(errno_message("cannot read", path));
    if (n == 0) return std::unexpected(fmt::format("'{}' got shorter while it was being sent", path));
    if (archive_write_data(out, buffer.data(), static_cast<std::size_t>(n)) != n) return std::unexpected(error(path));
    left -= static_cast<std::uint64_t>(n);
  }
  ++stats.files;
  stats.bytes += static_cast<std::uint64_t>(st.st_size);
  return {};
}

Status Writer::link(int dir, const std::string& name, const std::string& path, const struct stat& st) {
  auto target = read_link_at(dir, name.c_str());
  if (!target) return std::unexpected(errno_message("cannot read the link", path));
  ++stats.files;
  return header(path, st, *target);
}

Status Writer::entry(int dir, const std::string& name, const std::string& path) {
  struct stat st{};
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return std::unexpected(errno_message("cannot inspect", path));
  if (S_ISREG(st.st_mode)) return file(dir, name, path, st);
  if (S_ISLNK(st.st_mode)) return link(dir, name, path, st);
  if (!S_ISDIR(st.st_mode))
    return std::unexpected(fmt::format("cannot publish '{}': not a regular file, directory or symlink", path));
  if (auto written = header(path, st, {}); !written) return written;
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
  Utf8Names names;
  Writer writer{.sink = sink, .out = nullptr, .sink_error = {}, .stats = {}};
  std::unique_ptr<struct archive, ArchiveFree> out(archive_write_new());
  writer.out = out.get();
  // pax "restricted": plain ustar headers, with a pax header only for what ustar cannot hold.
  // No blocking: the stream ends right after the end marker instead of a padded 10 KiB record.
  archive_write_set_format_pax_restricted(writer.out);
  archive_write_set_bytes_per_block(writer.out, 0);
  if (archive_write_open(writer.out, &writer, nullptr, &Writer::write, nullptr) != ARCHIVE_OK)
    return std::unexpected(writer.error("the archive"));
  if (auto written = writer.tree(top.get(), ""); !written) return std::unexpected(written.error());
  if (archive_write_close(writer.out) != ARCHIVE_OK) return std::unexpected(writer.error("the archive's end"));
  return writer.stats;
}
}  // namespace baton::site
