#pragma once
// Pieces of a control API request target.
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace baton {
// "/v1/services/NAME/ACTION?query" with prefix "/v1/services/" -> {NAME, ACTION}; empty when the
// target has another shape.
std::optional<std::pair<std::string, std::string>> named_path(std::string_view target, std::string_view prefix);
// The percent-decoded value of `key` in the target's query; nullopt when absent or malformed.
std::optional<std::string> query_param(std::string_view target, std::string_view key);
}  // namespace baton
