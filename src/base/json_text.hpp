#pragma once
// JSON as text for the wire, the state store and the CLI. Strings that came from
// outside (an app's output, a tar entry's name, a command line) may hold bytes
// that are not UTF-8; nlohmann::json's dump() throws on them, which would end
// the request or the command that was about to report them. They become U+FFFD.
#include <nlohmann/json.hpp>
#include <string>

namespace baton {
inline std::string json_text(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
}  // namespace baton
