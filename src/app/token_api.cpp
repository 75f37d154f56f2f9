#include "app/token_api.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/api_json.hpp"
#include "app/deploy_api.hpp"
#include "base/json_text.hpp"
#include "base/log.hpp"
#include "control/token_store.hpp"
#include "control/wire/access.hpp"

namespace baton {
namespace {
using nlohmann::json;
using boost::beast::http::verb;
constexpr std::string_view kTokensPath = "/v1/tokens";

control::Response create(const control::Request& request, control::TokenStore& tokens) {
  auto body = body_object(request);
  if (!body) return api_error(request, 400, body.error());
  for (const auto& [key, value] : body->items())
    if (key != "name" && key != "scope" && key != "who")
      return api_error(request, 400, "unknown field '" + key + "' (known: name, scope)");
  auto name = body->value("name", json());
  auto scope_text = body->value("scope", json());
  auto scope = scope_text.is_string() ? control::parse_scope(scope_text.get<std::string>()) : std::nullopt;
  if (!name.is_string()) return api_error(request, 400, "name must be a string");
  if (!scope) return api_error(request, 400, "scope must be read, deploy or admin");
  auto made = tokens.create(name.get<std::string>(), *scope);
  if (!made) return api_error(request, made.error().find("exists") != std::string::npos ? 409 : 400, made.error());
  log::info("event=token_created name={} scope={} by=\"{}\"", name.get<std::string>(), control::to_string(*scope),
            who_with_token(request, body->value("who", "")));
  control::wire::TokenCreated answer{name.get<std::string>(), std::string(control::to_string(*scope)), *made};
  return control::json_response(request, 200, json_text(json(answer)));
}

control::Response list(const control::Request& request, const control::TokenStore& tokens) {
  auto listed = tokens.list();
  if (!listed) return api_error(request, 500, listed.error());
  control::wire::TokenList out;
  for (const auto& t : *listed) out.tokens.push_back({t.name, std::string(control::to_string(t.scope)), t.created_ms});
  return control::json_response(request, 200, json_text(json(out)));
}

control::Response revoke(const control::Request& request, control::TokenStore& tokens, const std::string& name) {
  auto gone = tokens.revoke(name);
  if (!gone) return api_error(request, gone.error().starts_with("no token") ? 404 : 500, gone.error());
  log::info("event=token_revoked name={} by=\"{}\"", name, who_with_token(request, ""));
  return control::json_response(request, 200, json_text(json{{"revoked", name}}));
}
}  // namespace

bool is_token_request(const control::Request& request) {
  std::string_view target = request.target();
  return target == kTokensPath || target.starts_with(std::string(kTokensPath) + "/");
}

std::string who_with_token(const control::Request& request, const std::string& who) {
  auto token = request[control::kTokenNameField];
  if (token.empty()) return who;
  return who.empty() ? fmt::format("token {}", std::string(token)) : fmt::format("token {} ({})", std::string(token), who);
}

awaitable<void> handle_tokens(const control::Request& request, control::Reply& reply, ApiContext& context) {
  std::string_view target = request.target();
  control::Response response;
  if (!context.tokens) {
    response = api_error(request, 500, "this daemon keeps no tokens");
  } else if (target == kTokensPath && request.method() == verb::post) {
    response = create(request, *context.tokens);
  } else if (target == kTokensPath && request.method() == verb::get) {
    response = list(request, *context.tokens);
  } else if (target.size() > kTokensPath.size() + 1 && request.method() == verb::delete_) {
    response = revoke(request, *context.tokens, std::string(target.substr(kTokensPath.size() + 1)));
  } else {
    response = api_error(request, 405, "use GET or POST /v1/tokens, or DELETE /v1/tokens/NAME");
  }
  co_await reply.send(std::move(response));
}
}  // namespace baton
