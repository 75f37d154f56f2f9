#include "state/release_store.hpp"

#include <fmt/format.h>

#include <charconv>

#include "state/rows.hpp"

namespace baton::state {
namespace {
constexpr std::string_view kSelectReleases =
    "SELECT id, service, version, spec_json, created_by, created_at, status, reason FROM releases";

Result<ReleaseRecord> read_release(const Statement& row) {
  auto status = parse_release_status(row.column_text(6));
  if (!status) {
    return std::unexpected(fmt::format("release {} of '{}' has an unknown status '{}'", row.column_text(0),
                                       row.column_text(1), row.column_text(6)));
  }
  return ReleaseRecord{.id = row.column_text(0),
                       .service = row.column_text(1),
                       .version = row.column_text(2),
                       .spec_json = row.column_text(3),
                       .created_by = row.column_text(4),
                       .created_at = rows::timestamp(row.column_int64(5)),
                       .status = *status,
                       .reason = row.column_text(7)};
}

}  // namespace

// The counter lives outside the releases table so deleting releases (or the
// whole service) never lets an id come back with a different meaning.
Result<std::string> ReleaseStore::next_id(std::string_view service, std::int64_t& seq) {
  auto statement = rows::prepare(db_, R"sql(
INSERT INTO release_counters (service, last) VALUES (?1, 1)
ON CONFLICT (service) DO UPDATE SET last = last + 1
RETURNING last)sql",
                                 service);
  if (!statement) return std::unexpected(statement.error());
  auto row = statement->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::unexpected(fmt::format("no release counter for '{}'", service));
  seq = statement->column_int64(0);
  if (auto done = statement->run(); !done) return std::unexpected(done.error());
  return fmt::format("r{}", seq);
}

Status ReleaseStore::demote_live(std::string_view service) {
  auto demoted = rows::run(db_, "UPDATE releases SET status = 'standby' WHERE service = ?1 AND status = 'live'",
                           service);
  if (!demoted) return std::unexpected(demoted.error());
  return {};
}

Result<ReleaseRecord> ReleaseStore::create(const ReleaseRecord& release) {
  auto tx = Transaction::begin(db_);
  if (!tx) return std::unexpected(tx.error());
  if (auto exists = rows::require_service(db_, release.service); !exists) return std::unexpected(exists.error());
  std::int64_t seq = 0;
  auto id = next_id(release.service, seq);
  if (!id) return std::unexpected(id.error());
  if (release.status == ReleaseStatus::live) {
    if (auto demoted = demote_live(release.service); !demoted) return std::unexpected(demoted.error());
  }
  ReleaseRecord stored = release;
  stored.id = *id;
  stored.created_at = now();
  auto inserted = rows::run(db_, R"sql(
INSERT INTO releases (service, id, seq, version, spec_json, created_by, created_at, status)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8))sql",
                            stored.service, stored.id, seq, stored.version, stored.spec_json, stored.created_by,
                            rows::millis(stored.created_at), to_string(stored.status));
  if (!inserted) return std::unexpected(inserted.error());
  if (auto committed = tx->commit(); !committed) return std::unexpected(committed.error());
  return stored;
}

Status ReleaseStore::save(const ReleaseRecord& release) {
  std::int64_t seq = 0;
  auto digits = std::string_view(release.id).substr(release.id.empty() ? 0 : 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
  if (release.id.empty() || release.id[0] != 'r' || ec != std::errc() || end != digits.data() + digits.size() ||
      seq < 1)
    return std::unexpected(fmt::format("'{}' is not a release id like r3", release.id));
  auto tx = Transaction::begin(db_);
  if (!tx) return std::unexpected(tx.error());
  if (auto exists = rows::require_service(db_, release.service); !exists) return exists;
  if (release.status == ReleaseStatus::live) {
    if (auto demoted = demote_live(release.service); !demoted) return demoted;
  }
  auto counted = rows::run(db_, R"sql(
INSERT INTO release_counters (service, last) VALUES (?1, ?2)
ON CONFLICT (service) DO UPDATE SET last = max(last, ?2))sql",
                           release.service, seq);
  if (!counted) return std::unexpected(counted.error());
  auto saved = rows::run(db_, R"sql(
INSERT INTO releases (service, id, seq, version, spec_json, created_by, created_at, status, reason)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
ON CONFLICT (service, id) DO UPDATE SET status = excluded.status, reason = excluded.reason,
                                        spec_json = excluded.spec_json)sql",
                         release.service, release.id, seq, release.version, release.spec_json, release.created_by,
                         rows::millis(release.created_at), to_string(release.status), release.reason);
  if (!saved) return std::unexpected(saved.error());
  return tx->commit();
}

Result<std::optional<ReleaseRecord>> ReleaseStore::get(std::string_view service, std::string_view id) {
  auto statement = rows::prepare(db_, std::string(kSelectReleases) + " WHERE service = ?1 AND id = ?2", service, id);
  if (!statement) return std::unexpected(statement.error());
  return rows::first<ReleaseRecord>(*statement, read_release);
}

Result<std::vector<ReleaseRecord>> ReleaseStore::list(std::string_view service) {
  auto statement = rows::prepare(db_, std::string(kSelectReleases) + " WHERE service = ?1 ORDER BY seq DESC", service);
  if (!statement) return std::unexpected(statement.error());
  return rows::collect<ReleaseRecord>(*statement, read_release);
}

Result<std::optional<ReleaseRecord>> ReleaseStore::live(std::string_view service) {
  auto statement = rows::prepare(db_, std::string(kSelectReleases) + " WHERE service = ?1 AND status = 'live'", service);
  if (!statement) return std::unexpected(statement.error());
  return rows::first<ReleaseRecord>(*statement, read_release);
}

Status ReleaseStore::set_status(std::string_view service, std::string_view id, ReleaseStatus status) {
  auto tx = Transaction::begin(db_);
  if (!tx) return std::unexpected(tx.error());
  if (status == ReleaseStatus::live) {
    if (auto demoted = demote_live(service); !demoted) return demoted;
  }
  auto updated = rows::run(db_, "UPDATE releases SET status = ?3 WHERE service = ?1 AND id = ?2", service, id,
                           to_string(status));
  if (!updated) return std::unexpected(updated.error());
  if (*updated == 0) return std::unexpected(fmt::format("no release {} of service '{}'", id, service));
  return tx->commit();
}

Result<bool> ReleaseStore::remove(std::string_view service, std::string_view id) {
  auto removed = rows::run(db_, "DELETE FROM releases WHERE service = ?1 AND id = ?2", service, id);
  if (!removed) return std::unexpected(removed.error());
  return *removed > 0;
}
}  // namespace baton::state
