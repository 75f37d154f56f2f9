#pragma once
#include <optional>
#include <vector>

#include "state/records.hpp"
#include "state/sqlite.hpp"

namespace baton::state {
class ServiceStore {
 public:
  explicit ServiceStore(Database& db) : db_(db) {}

  // Creates the service or replaces its spec; returns the row as stored.
  Result<ServiceRecord> upsert(const ServiceRecord& service);
  Result<std::optional<ServiceRecord>> get(std::string_view name);
  Result<std::vector<ServiceRecord>> list();
  // Removes the service with its releases, instances and deploy history.
  // Refused while a deploy of it runs. false: there was no such service.
  Result<bool> remove(std::string_view name);

 private:
  Database& db_;
};
}  // namespace baton::state
