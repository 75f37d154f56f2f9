#pragma once
// `POST /v1/services` (what `baton start NAME -- CMD` sends) as the TOML keys of the service's
// [services.NAME] table: the registered service is then read and validated by the config
// loader like any service in a file, and stored as such. Pure, so it is unit-tested and fuzzed.
#include <expected>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace baton {
struct Registration {
  std::string name;
  std::string toml_keys;
};

// Fields: name, listen, command (argv) required; instances, cwd, env ({"K": "V"}), health (a
// path), socket_activation optional. Unknown fields and wrong types are errors.
std::expected<Registration, std::string> registration_from_json(const nlohmann::json& body);
}  // namespace baton
