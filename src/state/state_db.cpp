#include "state/state_db.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "state/schema.hpp"

namespace baton::state {
namespace {
// SQLite would create the file with the umask's mode; create it first so the
// tokens inside are private. Its -wal and -shm files copy this mode.
Status create_private(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
    return {};
  }
  if (errno == EEXIST) return {};
  return std::unexpected(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
}
}  // namespace

Result<Database> open_state_db(const std::filesystem::path& home, OpenOptions options) {
  std::string path = (home / kStateFileName).string();
  if (options.create_if_missing) {
    if (auto created = create_private(path); !created) return std::unexpected(created.error());
  }
  // Checked before Database::open switches the file to WAL: a newer baton's
  // file must not be written by this one at all.
  options.verify = [extra = std::move(options.verify)](Database& db) -> Status {
    if (auto usable = check_schema(db); !usable) return usable;
    return extra ? extra(db) : Status{};
  };
  auto db = Database::open(path, options);
  if (!db) return db;
  if (auto migrated = migrate(*db); !migrated) return std::unexpected(migrated.error());
  return db;
}
}  // namespace baton::state
