#include "supervisor/output_fifo.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace baton::supervisor {
namespace {
std::unexpected<std::string> failed(std::string_view what, const std::filesystem::path& path) {
  return std::unexpected(fmt::format("cannot {} {}: {}", what, path.string(), std::strerror(errno)));
}
}  // namespace

std::expected<FifoEnds, std::string> create_output_fifo(const std::filesystem::path& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return failed("remove the old output pipe", path);
  if (::mkfifo(path.c_str(), 0600) != 0) return failed("create the output pipe", path);
  FifoEnds ends;
  // The read end first: opening a FIFO for reading without O_NONBLOCK would wait for a writer.
  ends.read.reset(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!ends.read) return failed("open the output pipe", path);
  ends.write.reset(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (!ends.write) return failed("open the output pipe", path);
  // Best effort: a smaller buffer only means an earlier stall while no daemon reads.
  ::fcntl(ends.write.get(), F_SETPIPE_SZ, kOutputFifoBuffer);
  return ends;
}

std::expected<UniqueFd, std::string> reopen_output_fifo(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return failed("reopen the output pipe", path);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0 || !S_ISFIFO(info.st_mode))
    return std::unexpected(fmt::format("{} is not an output pipe", path.string()));
  return fd;
}
}  // namespace baton::supervisor
