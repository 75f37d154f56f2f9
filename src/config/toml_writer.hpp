#pragma once
// Writes keys of one TOML table as text, quoting done by toml++, for configuration that Baton
// itself produces (a service registered at run time) and reads back with the loader.
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace baton {
using TomlStrings = std::vector<std::string>;                               // an array
using TomlStringTable = std::vector<std::pair<std::string, std::string>>;  // an inline table
using TomlValue = std::variant<std::string, std::int64_t, bool, TomlStrings, TomlStringTable>;
using TomlKeys = std::vector<std::pair<std::string, TomlValue>>;

std::string write_toml_keys(const TomlKeys& keys);
}  // namespace baton
