#pragma once
// A managed service's `user`, `group`, `memory_max` and `cpu_max` (docs/config.md#users-and-limits).
#include "config/config.hpp"
#include "config/table_reader.hpp"

namespace baton::config_detail {
// Names are resolved here, so an unknown user or group, or one this process may not switch to
// (only root may), fails `baton check`, `apply` and `start` rather than every instance start.
void read_user_and_limits(TableReader& r, ServiceConfig& service);
}  // namespace baton::config_detail
