#include "app/registration.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include "config/service_rules.hpp"
#include "config/toml_writer.hpp"

namespace baton {
namespace {
using nlohmann::json;
// Keys given as strings in the config file too (sizes, durations, names): copied as they are.
constexpr std::string_view kStringKeys[] = {"cwd", "health", "user", "group", "max_memory", "memory_max", "cpu_max",
                                            "stop_signal", "stop_timeout", "min_uptime", "autorestart", "restart_window",
                                            "restart_delay", "max_restart_delay", "cron_restart"};
// The other fields, each with a type of its own.
constexpr std::string_view kTypedFields[] = {"name",     "listen",           "command", "instances",
                                             "env",      "socket_activation", "notify",  "max_restarts"};

bool known_field(std::string_view key) {
  return std::ranges::find(kTypedFields, key) != std::end(kTypedFields) ||
         std::ranges::find(kStringKeys, key) != std::end(kStringKeys);
}

std::expected<void, std::string> check_fields(const json& body) {
  if (!body.is_object()) return std::unexpected("the body must be a JSON object");
  for (const auto& [key, value] : body.items())
    if (!known_field(key))
      return std::unexpected(fmt::format("unknown field '{}' (known: {}, {})", key, fmt::join(kTypedFields, ", "),
                                         fmt::join(kStringKeys, ", ")));
  if (!body.contains("name") || !body["name"].is_string())
    return std::unexpected("name is required and must be a string");
  // Without listen the service is a worker (no port, no route).
  if (body.contains("listen") && !body["listen"].is_string()) return std::unexpected("listen must be a string");
  if (!config_detail::is_valid_service_name(body["name"].get<std::string>()))
    return std::unexpected("name must be 1 to 64 letters, digits, '_' or '-'");
  return {};
}

std::expected<TomlStrings, std::string> command_array(const json& body) {
  if (!body.contains("command") || !body["command"].is_array() || body["command"].empty())
    return std::unexpected("command is required: the program and its arguments, after --");
  TomlStrings argv;
  for (const auto& word : body["command"]) {
    if (!word.is_string()) return std::unexpected("command must be an array of strings");
    argv.push_back(word.get<std::string>());
  }
  return argv;
}

// Optional keys copied with their TOML type; the loader checks the values themselves.
std::expected<void, std::string> copy_optional(const json& body, TomlKeys& keys) {
  for (const char* key : {"instances", "max_restarts"}) {
    if (!body.contains(key)) continue;
    if (!body[key].is_number_integer()) return std::unexpected(fmt::format("{} must be a whole number", key));
    keys.emplace_back(key, body[key].get<std::int64_t>());
  }
  for (auto key : kStringKeys) {
    std::string name(key);
    if (!body.contains(name)) continue;
    if (!body[name].is_string()) return std::unexpected(fmt::format("{} must be a string", name));
    keys.emplace_back(name, body[name].get<std::string>());
  }
  for (const char* flag : {"socket_activation", "notify"}) {
    if (!body.contains(flag)) continue;
    if (!body[flag].is_boolean()) return std::unexpected(fmt::format("{} must be true or false", flag));
    keys.emplace_back(flag, body[flag].get<bool>());
  }
  if (body.contains("env")) {
    if (!body["env"].is_object()) return std::unexpected("env must be an object of NAME: VALUE strings");
    TomlStringTable env;
    for (const auto& [name, value] : body["env"].items()) {
      if (!value.is_string()) return std::unexpected(fmt::format("env {} must be a string", name));
      env.emplace_back(name, value.get<std::string>());
    }
    keys.emplace_back("env", std::move(env));
  }
  return {};
}
}  // namespace

std::expected<Registration, std::string> registration_from_json(const json& body) {
  if (auto checked = check_fields(body); !checked) return std::unexpected(checked.error());
  auto argv = command_array(body);
  if (!argv) return std::unexpected(argv.error());
  TomlKeys keys;
  if (body.contains("listen")) keys.emplace_back("listen", body["listen"].get<std::string>());
  keys.emplace_back("command", std::move(*argv));
  if (auto copied = copy_optional(body, keys); !copied) return std::unexpected(copied.error());
  return Registration{.name = body["name"].get<std::string>(), .toml_keys = write_toml_keys(keys)};
}
}  // namespace baton
