#pragma once
// A managed service's environment from files: env_file, secret_env_file and secret_env
// (docs/config.md#environment-files).
#include "config/config.hpp"
#include "config/table_reader.hpp"

namespace baton::config_detail {
// Reads the files (relative to the config file's directory) and merges them under the `env` table
// already in `service.env`: env_file in order, then secret_env_file in order, then env, a later
// value replacing an earlier one. Names in secret_env and every key of a secret_env_file are
// secrets; a secret's value written in the config file itself is refused.
void read_env_sources(TableReader& r, ServiceConfig& service);
}  // namespace baton::config_detail
