#pragma once
// Pure checks on the strings that name and route a service.
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace baton::config_detail {
// [A-Za-z0-9_-]{1,64}: names appear in URLs, logs and file names.
bool is_valid_service_name(std::string_view name);

// A Host to match, lower-cased: "api.example.com" or the wildcard form
// "*.example.com". The error says what is wrong with it.
std::expected<std::string, std::string> normalize_host(std::string_view host);

// Why `path` cannot be a route's path prefix, if it cannot.
std::optional<std::string> path_prefix_problem(std::string_view path);
}  // namespace baton::config_detail
