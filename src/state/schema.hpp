#pragma once
// Versioned schema migrations, tracked in PRAGMA user_version.
#include <cstdint>

#include "state/sqlite.hpp"

namespace baton::state {
// The newest schema this build knows. Bump it by appending a migration.
inline constexpr int kSchemaVersion = 3;
// PRAGMA application_id ("BATN"): tells a baton state file from any other SQLite file.
inline constexpr std::int64_t kApplicationId = 0x4241544E;

// Brings the database to kSchemaVersion in one transaction. Refuses, without
// writing anything, a file from a newer baton or one that is not baton's.
Status migrate(Database& db);
// The read-only half of migrate: is this a baton file this build can use?
Status check_schema(Database& db);
Result<int> schema_version(Database& db);
}  // namespace baton::state
