#include "cli/token_command.hpp"

#include <chrono>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/api_client.hpp"
#include "cli/event_stream.hpp"
#include "control/wire/access.hpp"

namespace baton::cli {
namespace {
using nlohmann::json;

std::string utc_time(std::int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

int print_list(const std::string& body, bool as_json) {
  auto listed = control::wire::parse<control::wire::TokenList>(body);
  if (!listed) {
    fmt::print(stderr, "baton: the daemon's answer is not a list of tokens: {}\n", body);
    return kFailed;
  }
  if (as_json) {
    fmt::print("{}\n", json(*listed).dump(2));
    return kOk;
  }
  if (listed->tokens.empty()) {
    fmt::print("no token: make one with 'baton token create NAME --scope read|deploy|admin'\n");
    return kOk;
  }
  fmt::print("{:<24} {:<7} {}\n", "NAME", "SCOPE", "CREATED");
  for (const auto& t : listed->tokens) fmt::print("{:<24} {:<7} {}\n", t.name, t.scope, utc_time(t.created_ms));
  return kOk;
}
}  // namespace

int run_token(const TokenCommand& command) {
  std::expected<ApiReply, ApiError> reply = std::unexpected(ApiError{});
  if (command.action == "create") {
    json body{{"name", command.name}, {"scope", command.scope}};
    if (const char* user = std::getenv("USER")) body["who"] = user;
    reply = call_api(command.home, "POST", "/v1/tokens", body.dump());
  } else if (command.action == "ls") {
    reply = call_api(command.home, "GET", "/v1/tokens");
  } else {
    reply = call_api(command.home, "DELETE", "/v1/tokens/" + command.name);
  }
  if (!reply) {
    fmt::print(stderr, "baton: {}\n", reply.error().message);
    return reply.error().unreachable ? kUnreachable : kFailed;
  }
  if (reply->status != 200) {
    fmt::print(stderr, "baton: {}\n", error_of(reply->body));
    return reply->status == 400 || reply->status == 404 || reply->status == 409 ? kUsage : kFailed;
  }
  if (command.action == "ls") return print_list(reply->body, command.json);
  if (command.action == "revoke") {
    fmt::print("token '{}' revoked\n", command.name);
    return kOk;
  }
  auto made = control::wire::parse<control::wire::TokenCreated>(reply->body);
  if (!made || made->token.empty()) {
    fmt::print(stderr, "baton: the daemon's answer has no token: {}\n", reply->body);
    return kFailed;
  }
  fmt::print("{}\n", made->token);
  fmt::print(stderr, "token '{}' ({}) made: it is shown this once; keep it in a file only you can read (chmod 600)\n",
             command.name, command.scope);
  return kOk;
}
}  // namespace baton::cli
