#pragma once
// One PM2 app (an element of an ecosystem file's `apps`) as a Baton managed service: the keys it
// becomes and, for every PM2 option Baton has no equivalent for, a note saying what to do instead.
// Pure: no file is read, the machine's CPU count comes in the context.
#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/toml_text.hpp"

namespace baton::cli {

struct ServiceKey {
  std::string key;
  TomlItem value;
  std::string note;  // a comment written above the key, or empty
};

struct ServiceDraft {
  std::string name;                // a valid Baton service name
  std::string pm2_name;            // as the ecosystem file has it
  std::vector<ServiceKey> keys;    // in output order
  std::vector<std::pair<std::string, std::string>> env;  // [services.NAME.env], in name order
  std::vector<std::string> notes;  // PM2 options with no Baton equivalent
};

struct Pm2AppContext {
  std::string base_dir;      // absolute: the ecosystem file's directory, for a relative cwd
  unsigned cpus = 1;         // instances "max", 0 and negative counts are relative to it
  std::string env_name;      // `--env NAME`: env_NAME is merged over env
  std::size_t index = 0;     // the app's position in apps, for messages
};

// Errors (not an object, no script) name the app by its position.
std::expected<ServiceDraft, std::string> map_pm2_app(const nlohmann::json& app, const Pm2AppContext& context);

// A Baton service name from a PM2 one: letters, digits, - and _, at most 64; others become '-'.
std::string service_name_from(std::string_view pm2_name);
// The value as short JSON for a note (long ones cut, with "...").
std::string shown_value(const nlohmann::json& value);
}  // namespace baton::cli
