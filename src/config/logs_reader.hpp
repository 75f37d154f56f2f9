#pragma once
// Reads the [logs] table (the daemon's own log and the access log) and a managed service's
// log_per_instance, log_max_size and log_max_files (docs/config.md#logs).
#include <array>
#include <string_view>

#include "config/config.hpp"
#include "config/table_reader.hpp"

namespace baton::config_detail {
inline constexpr std::array<std::string_view, 3> kServiceLogKeys = {"log_per_instance", "log_max_size", "log_max_files"};

void read_logs(TableReader& root, LogsConfig& logs);
void read_service_logs(TableReader& r, ServiceLogs& logs);
}  // namespace baton::config_detail
