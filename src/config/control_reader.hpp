#pragma once
// Reads the [control] table: the control API's optional TCP admin listener.
#include "config/config.hpp"
#include "config/table_reader.hpp"

namespace baton::config_detail {
void read_control(TableReader& root, ControlConfig& control);
}  // namespace baton::config_detail
