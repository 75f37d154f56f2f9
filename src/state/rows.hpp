#pragma once
// Helpers the stores share for turning statement rows into records.
#include <fmt/format.h>

#include <optional>
#include <vector>

#include "state/records.hpp"
#include "state/sqlite.hpp"

namespace baton::state::rows {
inline std::int64_t millis(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp timestamp(std::int64_t ms) { return Timestamp(std::chrono::milliseconds(ms)); }

// Reads every row with read(statement) -> Result<T>.
template <class T, class Read>
Result<std::vector<T>> collect(Statement& statement, Read read) {
  std::vector<T> out;
  for (;;) {
    auto row = statement.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    auto record = read(statement);
    if (!record) return std::unexpected(record.error());
    out.push_back(std::move(*record));
  }
}

// Reads the first row, if there is one.
template <class T, class Read>
Result<std::optional<T>> first(Statement& statement, Read read) {
  auto row = statement.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<T>();
  auto record = read(statement);
  if (!record) return std::unexpected(record.error());
  return std::optional<T>(std::move(*record));
}

// Prepares sql and binds args, the first half of every store operation.
template <class... Args>
Result<Statement> prepare(Database& db, std::string_view sql, const Args&... args) {
  auto statement = db.prepare(sql);
  if (!statement) return statement;
  if (auto bound = statement->bind_all(args...); !bound) return std::unexpected(bound.error());
  return statement;
}

// Runs a statement that returns no rows; yields how many rows it changed.
template <class... Args>
Result<int> run(Database& db, std::string_view sql, const Args&... args) {
  auto statement = prepare(db, sql, args...);
  if (!statement) return std::unexpected(statement.error());
  if (auto done = statement->run(); !done) return std::unexpected(done.error());
  return db.changes();
}

// Fails with "no service named ..." unless the services table has `service`.
inline Status require_service(Database& db, std::string_view service) {
  auto statement = prepare(db, "SELECT 1 FROM services WHERE name = ?1", service);
  if (!statement) return std::unexpected(statement.error());
  auto found = statement->step();
  if (!found) return std::unexpected(found.error());
  if (!*found) return std::unexpected(fmt::format("no service named '{}'", service));
  return {};
}
}  // namespace baton::state::rows
