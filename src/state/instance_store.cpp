#include "state/instance_store.hpp"

#include <fmt/format.h>

#include "state/rows.hpp"

namespace baton::state {
namespace {
// Joined with releases to order by release age: "r10" sorts before "r9" as text.
constexpr std::string_view kSelectInstances = R"sql(
SELECT i.service, i.release_id, i.idx, i.pid, i.start_time_ticks, i.boot_id, i.token, i.port, i.state,
       i.restarts, i.started_at
FROM instances i JOIN releases r ON r.service = i.service AND r.id = i.release_id)sql";
constexpr std::string_view kOrder = " ORDER BY i.service, r.seq, i.idx";

Result<InstanceRecord> read_instance(const Statement& row) {
  auto state = parse_instance_state(row.column_text(8));
  if (!state) {
    return std::unexpected(fmt::format("instance {}/{}#{} has an unknown state '{}'", row.column_text(0),
                                       row.column_text(1), row.column_int64(2), row.column_text(8)));
  }
  return InstanceRecord{.service = row.column_text(0),
                        .release_id = row.column_text(1),
                        .index = static_cast<int>(row.column_int64(2)),
                        .pid = row.column_int64(3),
                        .start_time_ticks = row.column_int64(4),
                        .boot_id = row.column_text(5),
                        .token = row.column_text(6),
                        .port = static_cast<int>(row.column_int64(7)),
                        .state = *state,
                        .restarts = static_cast<int>(row.column_int64(9)),
                        .started_at = rows::timestamp(row.column_int64(10))};
}

Status require_release(Database& db, std::string_view service, std::string_view release_id) {
  auto statement = rows::prepare(db, "SELECT 1 FROM releases WHERE service = ?1 AND id = ?2", service, release_id);
  if (!statement) return std::unexpected(statement.error());
  auto found = statement->step();
  if (!found) return std::unexpected(found.error());
  if (!*found) return std::unexpected(fmt::format("no release {} of service '{}'", release_id, service));
  return {};
}

std::string name_of(const InstanceRecord& i) { return fmt::format("{}/{}#{}", i.service, i.release_id, i.index); }
}  // namespace

Status InstanceStore::insert(const InstanceRecord& i) {
  auto inserted = rows::run(db_, R"sql(
INSERT INTO instances (service, release_id, idx, pid, start_time_ticks, boot_id, token, port, state, restarts,
                       started_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11))sql",
                            i.service, i.release_id, i.index, i.pid, i.start_time_ticks, i.boot_id, i.token, i.port,
                            to_string(i.state), i.restarts, rows::millis(i.started_at));
  if (!inserted) return std::unexpected(inserted.error());
  return {};
}

Status InstanceStore::replace(std::string_view service, std::string_view release_id,
                              std::span<const InstanceRecord> instances) {
  auto tx = Transaction::begin(db_);
  if (!tx) return std::unexpected(tx.error());
  if (auto exists = require_release(db_, service, release_id); !exists) return exists;
  auto cleared = rows::run(db_, "DELETE FROM instances WHERE service = ?1 AND release_id = ?2", service, release_id);
  if (!cleared) return std::unexpected(cleared.error());
  for (const auto& instance : instances) {
    if (instance.service != service || instance.release_id != release_id) {
      return std::unexpected(
          fmt::format("instance {} does not belong to {}/{}", name_of(instance), service, release_id));
    }
    if (auto inserted = insert(instance); !inserted) return inserted;
  }
  return tx->commit();
}

Status InstanceStore::update(const InstanceRecord& i) {
  auto updated = rows::run(db_, R"sql(
UPDATE instances SET pid = ?4, start_time_ticks = ?5, boot_id = ?6, token = ?7, port = ?8, state = ?9,
                     restarts = ?10, started_at = ?11
WHERE service = ?1 AND release_id = ?2 AND idx = ?3)sql",
                           i.service, i.release_id, i.index, i.pid, i.start_time_ticks, i.boot_id, i.token, i.port,
                           to_string(i.state), i.restarts, rows::millis(i.started_at));
  if (!updated) return std::unexpected(updated.error());
  if (*updated == 0) return std::unexpected(fmt::format("no instance {}", name_of(i)));
  return {};
}

Result<std::optional<InstanceRecord>> InstanceStore::get(std::string_view service, std::string_view release_id,
                                                         int index) {
  auto statement = rows::prepare(
      db_, std::string(kSelectInstances) + " WHERE i.service = ?1 AND i.release_id = ?2 AND i.idx = ?3", service,
      release_id, index);
  if (!statement) return std::unexpected(statement.error());
  return rows::first<InstanceRecord>(*statement, read_instance);
}

Result<std::vector<InstanceRecord>> InstanceStore::list(std::string_view service) {
  auto statement =
      rows::prepare(db_, std::string(kSelectInstances) + " WHERE i.service = ?1" + std::string(kOrder), service);
  if (!statement) return std::unexpected(statement.error());
  return rows::collect<InstanceRecord>(*statement, read_instance);
}

Result<std::vector<InstanceRecord>> InstanceStore::list_all() {
  auto statement = db_.prepare(std::string(kSelectInstances) + std::string(kOrder));
  if (!statement) return std::unexpected(statement.error());
  return rows::collect<InstanceRecord>(*statement, read_instance);
}

Result<bool> InstanceStore::remove(std::string_view service, std::string_view release_id, int index) {
  auto removed = rows::run(db_, "DELETE FROM instances WHERE service = ?1 AND release_id = ?2 AND idx = ?3",
                           service, release_id, index);
  if (!removed) return std::unexpected(removed.error());
  return *removed > 0;
}
}  // namespace baton::state
