#pragma once
#include <expected>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace baton {
// Errors read "FILE:LINE: what is wrong".
std::expected<Config, std::string> load_config_file(const std::string& path);
std::expected<Config, std::string> parse_config(std::string_view toml_text, std::string_view source_name);
}  // namespace baton
