#pragma once
#include <expected>
#include <map>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace baton {
// Errors read "FILE:LINE: what is wrong".
std::expected<Config, std::string> load_config_file(const std::string& path);
std::expected<Config, std::string> parse_config(std::string_view toml_text, std::string_view source_name);
// A config file's text (errors name the file).
std::expected<std::string, std::string> read_config_text(const std::string& path);

// What a daemon runs: a config file's text (empty without one) and the services registered with
// `baton start NAME -- CMD`, each the TOML keys of its [services.NAME] table.
struct ConfigSources {
  std::string_view text;
  std::string_view source_name;  // in errors
  const std::map<std::string, std::string>* registered = nullptr;
  bool allow_empty = false;  // a daemon may start with nothing to serve yet
};
std::expected<Config, std::string> parse_config(const ConfigSources& sources);
}  // namespace baton
