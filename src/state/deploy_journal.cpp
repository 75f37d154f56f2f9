#include "state/deploy_journal.hpp"

#include <fmt/format.h>

#include "state/rows.hpp"

namespace baton::state {
namespace {
constexpr std::string_view kSelectDeploys =
    "SELECT id, service, from_release, to_release, strategy, status, step, started_at, updated_at, error "
    "FROM deploys";
constexpr std::string_view kFirstStep = "started";

Result<DeployRecord> read_deploy(const Statement& row) {
  auto status = parse_deploy_status(row.column_text(5));
  if (!status) {
    return std::unexpected(
        fmt::format("deploy {} has an unknown status '{}'", row.column_int64(0), row.column_text(5)));
  }
  return DeployRecord{.id = row.column_int64(0),
                      .service = row.column_text(1),
                      .from_release = row.column_optional_text(2),
                      .to_release = row.column_text(3),
                      .strategy = row.column_text(4),
                      .status = *status,
                      .step = row.column_text(6),
                      .started_at = rows::timestamp(row.column_int64(7)),
                      .updated_at = rows::timestamp(row.column_int64(8)),
                      .error = row.column_text(9)};
}

Result<DeployStep> read_step(const Statement& row) {
  return DeployStep{.deploy_id = row.column_int64(0),
                    .seq = static_cast<int>(row.column_int64(1)),
                    .name = row.column_text(2),
                    .detail = row.column_text(3),
                    .at = rows::timestamp(row.column_int64(4))};
}

Status insert_step(Database& db, std::int64_t deploy_id, int seq, std::string_view name, std::string_view detail,
                   Timestamp at) {
  auto inserted = rows::run(db, "INSERT INTO deploy_steps (deploy_id, seq, name, detail, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                            deploy_id, seq, name, detail, rows::millis(at));
  if (!inserted) return std::unexpected(inserted.error());
  return {};
}

}  // namespace

std::string describe(const DeployRecord& d) {
  return fmt::format("deploy {} of '{}' ({} -> {}, {}) at step '{}'", d.id, d.service,
                     d.from_release.value_or("nothing"), d.to_release, d.strategy, d.step);
}

Result<DeployRecord> DeployJournal::begin(const DeployRecord& deploy) {
  // IMMEDIATE: the check and the insert are one step for every connection.
  auto tx = Transaction::begin(db_);
  if (!tx) return std::unexpected(tx.error());
  auto other = running(deploy.service);
  if (!other) return std::unexpected(other.error());
  if (*other) {
    return std::unexpected(fmt::format("a deploy of '{}' is already running: {}; wait for it or cancel it",
                                       deploy.service, describe(**other)));
  }
  if (auto exists = rows::require_service(db_, deploy.service); !exists) return std::unexpected(exists.error());
  DeployRecord stored = deploy;
  stored.status = DeployStatus::running;
  stored.step = kFirstStep;
  stored.started_at = stored.updated_at = now();
  stored.error.clear();
  auto inserted = rows::run(db_, R"sql(
INSERT INTO deploys (service, from_release, to_release, strategy, status, step, started_at, updated_at, error)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ''))sql",
                            stored.service, stored.from_release, stored.to_release, stored.strategy,
                            to_string(stored.status), stored.step, rows::millis(stored.started_at));
  if (!inserted) return std::unexpected(inserted.error());
  stored.id = db_.last_insert_rowid();
  if (auto step = insert_step(db_, stored.id, 1, kFirstStep, {}, stored.started_at); !step) {
    return std::unexpected(step.error());
  }
  if (auto committed = tx->commit(); !committed) return std::unexpected(committed.error());
  return stored;
}

Result<DeployRecord> DeployJournal::require_running(std::int64_t deploy_id) {
  auto deploy = get(deploy_id);
  if (!deploy) return std::unexpected(deploy.error());
  if (!*deploy) return std::unexpected(fmt::format("no deploy {}", deploy_id));
  if ((*deploy)->status != DeployStatus::running) {
    return std::unexpected(fmt::format("deploy {} of '{}' already finished ({})", deploy_id, (*deploy)->service,
                                       to_string((*deploy)->status)));
  }
  return std::move(**deploy);
}

Result<int> DeployJournal::append_step(std::int64_t deploy_id, std::string_view name, std::string_view detail) {
  auto tx = Transaction::begin(db_);
  if (!tx) return std::unexpected(tx.error());
  if (auto deploy = require_running(deploy_id); !deploy) return std::unexpected(deploy.error());
  auto last = rows::prepare(db_, "SELECT coalesce(max(seq), 0) FROM deploy_steps WHERE deploy_id = ?1", deploy_id);
  if (!last) return std::unexpected(last.error());
  if (auto row = last->step(); !row) return std::unexpected(row.error());
  int seq = static_cast<int>(last->column_int64(0)) + 1;
  Timestamp at = now();
  if (auto step = insert_step(db_, deploy_id, seq, name, detail, at); !step) return std::unexpected(step.error());
  auto updated = rows::run(db_, "UPDATE deploys SET step = ?2, updated_at = ?3 WHERE id = ?1", deploy_id, name,
                           rows::millis(at));
  if (!updated) return std::unexpected(updated.error());
  if (auto committed = tx->commit(); !committed) return std::unexpected(committed.error());
  return seq;
}

Status DeployJournal::finish(std::int64_t deploy_id, DeployStatus status, std::string_view error) {
  if (status == DeployStatus::running) {
    return std::unexpected(fmt::format("deploy {}: finish needs done, failed or rolled_back", deploy_id));
  }
  auto tx = Transaction::begin(db_);
  if (!tx) return std::unexpected(tx.error());
  if (auto deploy = require_running(deploy_id); !deploy) return std::unexpected(deploy.error());
  auto updated = rows::run(db_, "UPDATE deploys SET status = ?2, error = ?3, updated_at = ?4 WHERE id = ?1",
                           deploy_id, to_string(status), error, rows::millis(now()));
  if (!updated) return std::unexpected(updated.error());
  return tx->commit();
}

Result<std::optional<DeployRecord>> DeployJournal::get(std::int64_t deploy_id) {
  auto statement = rows::prepare(db_, std::string(kSelectDeploys) + " WHERE id = ?1", deploy_id);
  if (!statement) return std::unexpected(statement.error());
  return rows::first<DeployRecord>(*statement, read_deploy);
}

Result<std::optional<DeployRecord>> DeployJournal::running(std::string_view service) {
  auto statement = rows::prepare(db_, std::string(kSelectDeploys) + " WHERE service = ?1 AND status = 'running'", service);
  if (!statement) return std::unexpected(statement.error());
  return rows::first<DeployRecord>(*statement, read_deploy);
}

Result<std::vector<DeployRecord>> DeployJournal::unfinished() {
  auto statement = db_.prepare(std::string(kSelectDeploys) + " WHERE status = 'running' ORDER BY id");
  if (!statement) return std::unexpected(statement.error());
  return rows::collect<DeployRecord>(*statement, read_deploy);
}

Result<std::vector<DeployRecord>> DeployJournal::history(std::string_view service, int limit) {
  auto statement =
      rows::prepare(db_, std::string(kSelectDeploys) + " WHERE service = ?1 ORDER BY id DESC LIMIT ?2", service, limit);
  if (!statement) return std::unexpected(statement.error());
  return rows::collect<DeployRecord>(*statement, read_deploy);
}

Result<std::vector<DeployStep>> DeployJournal::steps(std::int64_t deploy_id) {
  auto statement = rows::prepare(
      db_, "SELECT deploy_id, seq, name, detail, at FROM deploy_steps WHERE deploy_id = ?1 ORDER BY seq", deploy_id);
  if (!statement) return std::unexpected(statement.error());
  return rows::collect<DeployStep>(*statement, read_step);
}
}  // namespace baton::state
