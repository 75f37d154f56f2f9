#pragma once
#include <optional>
#include <vector>

#include "state/records.hpp"
#include "state/sqlite.hpp"

namespace baton::state {
// Releases are immutable specs; only their status changes. At most one release
// per service is live, and making one live turns the previous live one standby
// in the same transaction, so there is never a moment with two or none.
class ReleaseStore {
 public:
  explicit ReleaseStore(Database& db) : db_(db) {}

  // Stores a new release of an existing service; the store assigns id
  // ("r1", "r2", ...) and created_at. Returns the row as stored.
  Result<ReleaseRecord> create(const ReleaseRecord& release);
  // Stores a release whose id ("r<N>") the caller assigned, or updates its status, reason and spec
  // (scaling changes the instance count in place) when it exists; created_at is kept as given. Keeps the id counter past N so create() never reuses it.
  Status save(const ReleaseRecord& release);
  Result<std::optional<ReleaseRecord>> get(std::string_view service, std::string_view id);
  // Newest first.
  Result<std::vector<ReleaseRecord>> list(std::string_view service);
  Result<std::optional<ReleaseRecord>> live(std::string_view service);
  Status set_status(std::string_view service, std::string_view id, ReleaseStatus status);
  // Forgets a release with its instance records; its id is never reused. false: there was none.
  Result<bool> remove(std::string_view service, std::string_view id);

 private:
  Result<std::string> next_id(std::string_view service, std::int64_t& seq);
  Status demote_live(std::string_view service);

  Database& db_;
};
}  // namespace baton::state
