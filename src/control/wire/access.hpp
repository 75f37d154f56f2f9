#pragma once
// Tokens (/v1/tokens), uploads (/v1/services/NAME/artifacts), log lines (/v1/logs) and errors:
// the small bodies of the admin listener's endpoints, for the daemon and the CLI alike.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace baton::control::wire {
struct TokenCreated {
  std::string name;
  std::string scope;  // read, deploy, admin
  std::string token;  // shown this once
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TokenCreated, name, scope, token)

struct TokenEntry {
  std::string name;
  std::string scope;
  std::int64_t created_ms = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TokenEntry, name, scope, created_ms)

struct TokenList {
  std::vector<TokenEntry> tokens;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TokenList, tokens)

struct ArtifactUploaded {
  std::string artifact;  // 32 hex digits
  std::uint64_t bytes = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ArtifactUploaded, artifact, bytes)

struct LogLine {
  std::string line;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LogLine, line)

struct Error {
  std::string error;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Error, error)

// The body as a T, or nullopt when it is not one (malformed JSON, a field of the wrong type).
template <typename T>
std::optional<T> parse(std::string_view text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object()) return std::nullopt;
  try {
    return json.get<T>();
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}
}  // namespace baton::control::wire
