#pragma once
// Reads how a managed service's instances count as started and ready: min_uptime, notify, watchdog (flat keys of [services.NAME]), and refuses on a worker (no listen) the keys
// that only mean something for a service that takes requests.
#include "config/config.hpp"
#include "config/table_reader.hpp"

namespace baton::config_detail {
// After every other key of the service is read (it checks `strategy` and `command`).
void read_worker(TableReader& service, ServiceConfig& out);
}  // namespace baton::config_detail
