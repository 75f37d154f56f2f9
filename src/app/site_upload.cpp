#include "app/site_upload.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include <fmt/format.h>

#include "site/archive_extract.hpp"

namespace baton {
namespace {
constexpr std::size_t kChunk = 256 * 1024;

std::expected<void, SpoolError> write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    auto n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      unsigned status = errno == ENOSPC || errno == EDQUOT ? 507 : 500;
      return std::unexpected(SpoolError{status, site::errno_message("cannot spool the upload in", "the site root")});
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace

std::expected<site::Fd, std::string> open_spool(const std::string& root) {
  if (auto store = site::SiteStore::open(root); !store) return std::unexpected(store.error());
  site::Fd fd(::open(root.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (!fd) return std::unexpected(site::errno_message("cannot make a spool file in", root));
  return fd;
}

awaitable<std::expected<std::uint64_t, SpoolError>> receive_body(control::BodyReader& body, int spool) {
  std::vector<char> chunk(kChunk);
  std::uint64_t total = 0;
  for (;;) {
    auto n = co_await body.read(chunk);
    if (!n) co_return std::unexpected(SpoolError{400, n.error()});
    if (*n == 0) co_return total;
    total += *n;
    if (total > kMaxArchiveBytes)
      co_return std::unexpected(SpoolError{413, fmt::format("the archive is larger than {} bytes", kMaxArchiveBytes)});
    if (auto written = write_all(spool, chunk.data(), *n); !written) co_return std::unexpected(written.error());
  }
}

std::expected<site::ReleaseInfo, site::PublishError> publish_archive(const std::string& root, int spool,
                                                                     const UploadOptions& options) {
  auto store = site::SiteStore::open(root);
  if (!store) return site::failed(store.error());
  if (::lseek(spool, 0, SEEK_SET) != 0) return site::failed(site::errno_message("cannot rewind", "the spooled upload"));
  site::ArchiveReader reader(site::file_source(spool, "the spooled upload"), {.max_bytes = kMaxArchiveBytes});
  auto extract = [&](int release_dirfd) { return site::extract_archive(reader, release_dirfd); };
  return store->publish_tree(extract, "the archive",
                             {.version = options.version, .require_index = options.require_index, .keep = options.keep});
}
}  // namespace baton
