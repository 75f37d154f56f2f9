// `POST /v1/services` bodies: refused with a message, or turned into TOML keys that the config
// loader then reads as the service's table (accepted or refused, never a crash, never a table
// that leaks outside [services.NAME]).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string_view>

#include <nlohmann/json.hpp>

#include "app/registration.hpp"
#include "base/check.hpp"
#include "config/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto body = nlohmann::json::parse(input, nullptr, false);
  if (body.is_discarded()) return 0;
  auto registration = baton::registration_from_json(body);
  if (!registration) {
    BATON_CHECK(!registration.error().empty());
    return 0;
  }
  std::map<std::string, std::string> registered{{registration->name, registration->toml_keys}};
  auto config = baton::parse_config(
      baton::ConfigSources{.text = "", .source_name = "fuzz", .registered = &registered, .allow_empty = true});
  if (config) BATON_CHECK(config->services.size() == 1 && config->services.contains(registration->name));
  return 0;
}
