#pragma once
// Pure checks on the strings that name, route and run a service.
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace baton::config_detail {
// [A-Za-z0-9_-]{1,64}: names appear in URLs, logs and file names.
bool is_valid_service_name(std::string_view name);

// A Host to match, lower-cased: "api.example.com" or the wildcard form
// "*.example.com". The error says what is wrong with it.
std::expected<std::string, std::string> normalize_host(std::string_view host);

// Why `path` cannot be a route's path prefix, if it cannot.
std::optional<std::string> path_prefix_problem(std::string_view path);

// The signal a managed service is stopped with: "TERM" or "SIGTERM"; nullopt for any other name.
std::optional<int> stop_signal_number(std::string_view name);
// The names stop_signal_number() accepts, without "SIG", for messages.
std::span<const std::string_view> stop_signal_names();

// Why `name` cannot be set in a managed service's environment, if it cannot: it must be a
// variable name, and PORT and BATON_* are Baton's to set.
std::optional<std::string> env_name_problem(std::string_view name);

// Why `dir` cannot be a managed service's working directory, if it cannot (syntax only: whether
// it exists is checked when the service starts).
std::optional<std::string> cwd_problem(std::string_view dir);

// Why `path` cannot be the target of a health check's GET, if it cannot.
std::optional<std::string> health_path_problem(std::string_view path);
// Why `host` cannot be a health check's Host header ("name" or "name:port"), if it cannot.
std::optional<std::string> health_host_problem(std::string_view host);
// "200" or "200-299": statuses a health check accepts, each from 100 to 599.
std::expected<std::pair<unsigned, unsigned>, std::string> parse_status_range(std::string_view text);
}  // namespace baton::config_detail
