#pragma once
// Reads a managed service's restart policy (flat keys of [services.NAME]): autorestart,
// stop_exit_codes, max_restarts, restart_window, restart_delay, max_restart_delay, cron_restart.
#include "config/config.hpp"
#include "config/table_reader.hpp"

namespace baton::config_detail {
void read_restart_policy(TableReader& service, ServiceConfig& out);
}  // namespace baton::config_detail
