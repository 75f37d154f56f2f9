#include "state/schema.hpp"

#include <fmt/format.h>

#include <array>
#include <string_view>

namespace baton::state {
namespace {
// kMigrations[i] takes the schema from version i to i + 1. Never edit a
// shipped entry: files in the field already ran it. Append a new one instead.
// Statuses are free text checked on read, so adding one needs no table rebuild.
constexpr std::array<std::string_view, kSchemaVersion> kMigrations{R"sql(
CREATE TABLE services (
  name       TEXT PRIMARY KEY,
  spec_json  TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- Outlives its service, so a re-created service never reuses a release id.
CREATE TABLE release_counters (
  service TEXT PRIMARY KEY,
  last    INTEGER NOT NULL
) STRICT;

CREATE TABLE releases (
  service    TEXT NOT NULL REFERENCES services(name) ON DELETE CASCADE,
  id         TEXT NOT NULL,
  seq        INTEGER NOT NULL,
  version    TEXT NOT NULL,
  spec_json  TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  status     TEXT NOT NULL,
  PRIMARY KEY (service, id)
) STRICT;
CREATE UNIQUE INDEX releases_by_seq ON releases(service, seq);
CREATE UNIQUE INDEX releases_one_live ON releases(service) WHERE status = 'live';

CREATE TABLE instances (
  service          TEXT NOT NULL,
  release_id       TEXT NOT NULL,
  idx              INTEGER NOT NULL,
  pid              INTEGER NOT NULL,
  start_time_ticks INTEGER NOT NULL,
  boot_id          TEXT NOT NULL,
  token            TEXT NOT NULL,
  port             INTEGER NOT NULL,
  state            TEXT NOT NULL,
  restarts         INTEGER NOT NULL,
  started_at       INTEGER NOT NULL,
  PRIMARY KEY (service, release_id, idx),
  FOREIGN KEY (service, release_id) REFERENCES releases(service, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE deploys (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  service      TEXT NOT NULL REFERENCES services(name) ON DELETE CASCADE,
  from_release TEXT,
  to_release   TEXT NOT NULL,
  strategy     TEXT NOT NULL,
  status       TEXT NOT NULL,
  step         TEXT NOT NULL,
  started_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  error        TEXT NOT NULL
) STRICT;
-- The per-service deploy lock, enforced by the database itself.
CREATE UNIQUE INDEX deploys_one_running ON deploys(service) WHERE status = 'running';
CREATE INDEX deploys_by_service ON deploys(service, id);

CREATE TABLE deploy_steps (
  deploy_id INTEGER NOT NULL REFERENCES deploys(id) ON DELETE CASCADE,
  seq       INTEGER NOT NULL,
  name      TEXT NOT NULL,
  detail    TEXT NOT NULL,
  at        INTEGER NOT NULL,
  PRIMARY KEY (deploy_id, seq)
) STRICT;
)sql", R"sql(
-- Why a release failed or was rolled back, shown by 'baton releases'.
ALTER TABLE releases ADD COLUMN reason TEXT NOT NULL DEFAULT '';
)sql", R"sql(
-- What the daemon was told to run beyond its --config: the file last applied with
-- 'baton apply' (its text, as applied) and services registered with 'baton start -- CMD'.
CREATE TABLE applied_config (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  path       TEXT NOT NULL,
  text       TEXT NOT NULL,
  applied_at INTEGER NOT NULL
) STRICT;
CREATE TABLE registered_services (
  name       TEXT PRIMARY KEY,
  toml       TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
)sql"};

// A file that has tables but neither our application id nor a schema version
// belongs to something else; adding our tables to it would be a silent mess.
Status check_ownership(Database& db, int version) {
  auto app_id = db.query_int64("PRAGMA application_id");
  if (!app_id) return std::unexpected(app_id.error());
  if (*app_id != 0 && *app_id != kApplicationId) {
    return std::unexpected(fmt::format("{} is not a baton state database (application_id {:#x}): move the file away",
                                       db.path(), *app_id));
  }
  if (*app_id != 0 || version != 0) return {};
  auto tables = db.query_int64("SELECT count(*) FROM sqlite_schema");
  if (!tables) return std::unexpected(tables.error());
  if (*tables != 0) {
    return std::unexpected(
        fmt::format("{} is not a baton state database (it has tables but no baton schema): move the file away",
                    db.path()));
  }
  return {};
}

Status check_version(Database& db, int version) {
  if (auto owned = check_ownership(db, version); !owned) return owned;
  if (version > kSchemaVersion) {
    return std::unexpected(fmt::format("{} was written by a newer baton (schema {}, this build knows {}): "
                                       "upgrade baton or move the file away",
                                       db.path(), version, kSchemaVersion));
  }
  return {};
}

Status apply(Database& db, int from) {
  for (int version = from; version < kSchemaVersion; ++version) {
    if (auto applied = db.exec(kMigrations[version]); !applied) {
      return std::unexpected(fmt::format("{}: migration to schema {} failed: {}", db.path(), version + 1,
                                         applied.error()));
    }
  }
  return db.exec(fmt::format("PRAGMA user_version = {}; PRAGMA application_id = {}", kSchemaVersion,
                             kApplicationId));
}
}  // namespace

Result<int> schema_version(Database& db) {
  auto version = db.query_int64("PRAGMA user_version");
  if (!version) return std::unexpected(version.error());
  return static_cast<int>(*version);
}

Status check_schema(Database& db) {
  auto version = schema_version(db);
  if (!version) return std::unexpected(version.error());
  return check_version(db, *version);
}

Status migrate(Database& db) {
  auto before = schema_version(db);
  if (!before) return std::unexpected(before.error());
  if (auto usable = check_version(db, *before); !usable) return usable;
  if (*before == kSchemaVersion) return {};  // the common case takes no write lock
  auto tx = Transaction::begin(db);
  if (!tx) return std::unexpected(tx.error());
  // Read again under the write lock: another process may have migrated meanwhile.
  auto version = schema_version(db);
  if (!version) return std::unexpected(version.error());
  if (auto usable = check_version(db, *version); !usable) return usable;
  if (auto applied = apply(db, *version); !applied) return applied;
  return tx->commit();
}
}  // namespace baton::state
