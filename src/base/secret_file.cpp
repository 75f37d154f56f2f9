#include "base/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace baton {
namespace {
constexpr std::size_t kMaxSecretBytes = 4096;

std::string trimmed(std::string text) {
  constexpr std::string_view kSpace = " \t\r\n";
  auto end = text.find_last_not_of(kSpace);
  if (end == std::string::npos) return {};
  text.erase(end + 1);
  text.erase(0, text.find_first_not_of(kSpace));
  return text;
}
}  // namespace

std::expected<std::string, std::string> read_secret_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(fmt::format("cannot read the token file {}: {}", path, std::strerror(errno)));
  struct stat st{};
  std::string text(kMaxSecretBytes + 1, '\0');
  ssize_t n = ::fstat(fd, &st) == 0 ? ::read(fd, text.data(), text.size()) : -1;
  int error = errno;
  ::close(fd);
  if (n < 0) return std::unexpected(fmt::format("cannot read the token file {}: {}", path, std::strerror(error)));
  if (!S_ISREG(st.st_mode)) return std::unexpected(fmt::format("the token file {} is not a regular file", path));
  if ((st.st_mode & 077) != 0)
    return std::unexpected(fmt::format("the token file {} is open to group or others (mode {:04o}): chmod 600 it",
                                       path, st.st_mode & 07777));
  if (static_cast<std::size_t>(n) > kMaxSecretBytes)
    return std::unexpected(fmt::format("the token file {} is larger than {} bytes", path, kMaxSecretBytes));
  text.resize(static_cast<std::size_t>(n));
  text = trimmed(std::move(text));
  if (text.empty()) return std::unexpected(fmt::format("the token file {} is empty", path));
  return text;
}
}  // namespace baton
