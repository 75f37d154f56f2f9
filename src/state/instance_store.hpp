#pragma once
#include <optional>
#include <span>
#include <vector>

#include "state/records.hpp"
#include "state/sqlite.hpp"

namespace baton::state {
// The processes Baton started, recorded so a restarted daemon re-adopts them
// instead of starting duplicates.
class InstanceStore {
 public:
  explicit InstanceStore(Database& db) : db_(db) {}

  // Makes `instances` the whole set for one release of a service (an empty span clears it).
  Status replace(std::string_view service, std::string_view release_id, std::span<const InstanceRecord> instances);
  // Updates the instance with the same service, release_id and index.
  Status update(const InstanceRecord& instance);
  Result<std::optional<InstanceRecord>> get(std::string_view service, std::string_view release_id, int index);
  // Oldest release first, then by index.
  Result<std::vector<InstanceRecord>> list(std::string_view service);
  // Every service's instances: what a starting daemon has to re-adopt.
  Result<std::vector<InstanceRecord>> list_all();
  // false: there was no such instance.
  Result<bool> remove(std::string_view service, std::string_view release_id, int index);

 private:
  Status insert(const InstanceRecord& instance);

  Database& db_;
};
}  // namespace baton::state
