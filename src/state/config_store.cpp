#include "state/config_store.hpp"

#include "state/rows.hpp"

namespace baton::state {
Result<std::optional<AppliedConfig>> ConfigStore::applied() {
  auto statement = db_.prepare("SELECT path, text FROM applied_config WHERE id = 1");
  if (!statement) return std::unexpected(statement.error());
  return rows::first<AppliedConfig>(*statement, [](const Statement& row) -> Result<AppliedConfig> {
    return AppliedConfig{.path = row.column_text(0), .text = row.column_text(1)};
  });
}

Status ConfigStore::save_applied(const AppliedConfig& config) {
  auto written = rows::run(db_, R"sql(
INSERT INTO applied_config (id, path, text, applied_at) VALUES (1, ?1, ?2, ?3)
ON CONFLICT (id) DO UPDATE SET path = excluded.path, text = excluded.text, applied_at = excluded.applied_at)sql",
                           config.path, config.text, rows::millis(now()));
  if (!written) return std::unexpected(written.error());
  return {};
}

Result<std::map<std::string, std::string>> ConfigStore::registered() {
  auto statement = db_.prepare("SELECT name, toml FROM registered_services ORDER BY name");
  if (!statement) return std::unexpected(statement.error());
  using Entry = std::pair<std::string, std::string>;
  auto entries = rows::collect<Entry>(*statement, [](const Statement& row) -> Result<Entry> {
    return Entry{row.column_text(0), row.column_text(1)};
  });
  if (!entries) return std::unexpected(entries.error());
  return std::map<std::string, std::string>(entries->begin(), entries->end());
}

Status ConfigStore::save_registered(const std::string& name, const std::string& toml) {
  auto written = rows::run(db_, R"sql(
INSERT INTO registered_services (name, toml, created_at) VALUES (?1, ?2, ?3)
ON CONFLICT (name) DO UPDATE SET toml = excluded.toml)sql",
                           name, toml, rows::millis(now()));
  if (!written) return std::unexpected(written.error());
  return {};
}

Status ConfigStore::remove_registered(const std::string& name) {
  auto removed = rows::run(db_, "DELETE FROM registered_services WHERE name = ?1", name);
  if (!removed) return std::unexpected(removed.error());
  return {};
}
}  // namespace baton::state
