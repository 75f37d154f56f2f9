#pragma once
// Reads the [sites.NAME] tables: static front ends served from ROOT/current.
#include "config/config.hpp"
#include "config/table_reader.hpp"

namespace baton::config_detail {
// Fills config.sites; the services must have been read already, since a site may not take a
// route (listener, host, path) a service or another site has.
void read_sites(TableReader& root, Config& config);
}  // namespace baton::config_detail
