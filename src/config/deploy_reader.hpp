#pragma once
// Reads how a service is deployed: its strategy, limits and hooks (flat keys of [services.NAME]).
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/table_reader.hpp"

namespace baton::config_detail {
// A command as the file gives it: a string (a command line; `is_shell_string` set) or an argv
// array. Empty commands, empty program names and NUL characters are errors. Leaves `argv` as it
// was when the key is absent or invalid.
bool read_command_line(TableReader& r, std::string_view key, std::vector<std::string>& argv,
                       bool& is_shell_string);

void read_deploy(TableReader& service, DeployConfig& out);
}  // namespace baton::config_detail
