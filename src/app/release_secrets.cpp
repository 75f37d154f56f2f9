#include "app/release_secrets.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/dotenv.hpp"

namespace baton {
namespace {
std::expected<void, std::string> private_dir(const std::filesystem::path& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return std::unexpected(fmt::format("cannot create {}: {}", dir.string(), std::strerror(errno)));
  if (::chmod(dir.c_str(), 0700) != 0)
    return std::unexpected(fmt::format("cannot chmod {}: {}", dir.string(), std::strerror(errno)));
  return {};
}

// Written to a new file of mode 0600 first, then renamed over the old one: never readable by
// others, never half written.
std::expected<void, std::string> write_private(const std::filesystem::path& path, const std::string& text) {
  auto temporary = path.string() + ".new";
  ::unlink(temporary.c_str());
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return std::unexpected(fmt::format("cannot write {}: {}", temporary, std::strerror(errno)));
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  int error = errno;
  ::close(fd);
  if (!written || ::rename(temporary.c_str(), path.c_str()) != 0) {
    if (written) error = errno;
    ::unlink(temporary.c_str());
    return std::unexpected(fmt::format("cannot write {}: {}", path.string(), std::strerror(error)));
  }
  return {};
}
}  // namespace

std::expected<void, std::string> ReleaseSecrets::save(const std::string& service,
                                                      const deploy::Release& release) const {
  std::string text;
  for (const auto& [name, value] : release.spec.env)
    if (release.spec.is_secret(name)) text += dotenv_line(name, value);
  if (text.empty()) {
    forget(service, release.id);
    return {};
  }
  if (auto made = private_dir(dir_); !made) return made;
  if (auto made = private_dir(dir_ / service); !made) return made;
  return write_private(file_of(service, release.id), text);
}

std::expected<void, std::string> ReleaseSecrets::restore(const std::string& service, deploy::Release& release) const {
  bool any = false;
  for (const auto& [name, value] : release.spec.env) any = any || release.spec.is_secret(name);
  if (!any) return {};
  auto entries = read_dotenv_file(file_of(service, release.id).string());
  if (!entries) return std::unexpected(entries.error());
  std::string missing;
  for (auto& [name, value] : release.spec.env) {
    if (!release.spec.is_secret(name)) continue;
    auto stored = std::ranges::find(*entries, name, &DotenvEntry::key);
    if (stored != entries->end()) value = stored->value;
    else missing += (missing.empty() ? "" : ", ") + name;
  }
  if (!missing.empty())
    return std::unexpected(fmt::format("{} has no value for {}", file_of(service, release.id).string(), missing));
  return {};
}

void ReleaseSecrets::forget(const std::string& service, const std::string& release) const {
  std::error_code ignored;
  std::filesystem::remove(file_of(service, release), ignored);
}

void ReleaseSecrets::forget_service(const std::string& service) const {
  std::error_code ignored;
  std::filesystem::remove_all(dir_ / service, ignored);
}
}  // namespace baton
