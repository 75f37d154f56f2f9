#pragma once
// Reads a service's `health` key: a path (an HTTP check) or a [services.NAME.health] table.
#include "config/config.hpp"
#include "config/table_reader.hpp"

namespace baton::config_detail {
// `service` is the [services.NAME] table.
void read_health(TableReader& service, ServiceConfig& out);
}  // namespace baton::config_detail
