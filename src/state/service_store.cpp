#include "state/service_store.hpp"

#include <fmt/format.h>

#include "state/deploy_journal.hpp"
#include "state/rows.hpp"

namespace baton::state {
namespace {
// live_release_id is derived, never stored twice: the release status is the truth.
constexpr std::string_view kSelectServices = R"sql(
SELECT s.name, s.spec_json,
       (SELECT r.id FROM releases r WHERE r.service = s.name AND r.status = 'live'),
       s.created_at, s.updated_at
FROM services s)sql";

Result<ServiceRecord> read_service(const Statement& row) {
  return ServiceRecord{.name = row.column_text(0),
                       .spec_json = row.column_text(1),
                       .live_release_id = row.column_optional_text(2),
                       .created_at = rows::timestamp(row.column_int64(3)),
                       .updated_at = rows::timestamp(row.column_int64(4))};
}
}  // namespace

Result<ServiceRecord> ServiceStore::upsert(const ServiceRecord& service) {
  if (service.name.empty()) return std::unexpected(std::string("service name is empty"));
  auto written = rows::run(db_, R"sql(
INSERT INTO services (name, spec_json, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
ON CONFLICT (name) DO UPDATE SET spec_json = excluded.spec_json, updated_at = excluded.updated_at)sql",
                           service.name, service.spec_json, rows::millis(now()));
  if (!written) return std::unexpected(written.error());
  auto stored = get(service.name);
  if (!stored) return std::unexpected(stored.error());
  if (!*stored) return std::unexpected(fmt::format("service '{}' vanished after upsert", service.name));
  return std::move(**stored);
}

Result<std::optional<ServiceRecord>> ServiceStore::get(std::string_view name) {
  auto statement = rows::prepare(db_, std::string(kSelectServices) + " WHERE s.name = ?1", name);
  if (!statement) return std::unexpected(statement.error());
  return rows::first<ServiceRecord>(*statement, read_service);
}

Result<std::vector<ServiceRecord>> ServiceStore::list() {
  auto statement = db_.prepare(std::string(kSelectServices) + " ORDER BY s.name");
  if (!statement) return std::unexpected(statement.error());
  return rows::collect<ServiceRecord>(*statement, read_service);
}

Result<bool> ServiceStore::remove(std::string_view name) {
  auto tx = Transaction::begin(db_);
  if (!tx) return std::unexpected(tx.error());
  auto running = DeployJournal(db_).running(name);
  if (!running) return std::unexpected(running.error());
  if (*running) {
    return std::unexpected(fmt::format("cannot remove service '{}': {} is running", name, describe(**running)));
  }
  auto removed = rows::run(db_, "DELETE FROM services WHERE name = ?1", name);
  if (!removed) return std::unexpected(removed.error());
  if (auto committed = tx->commit(); !committed) return std::unexpected(committed.error());
  return *removed > 0;
}
}  // namespace baton::state
