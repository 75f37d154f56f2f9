#pragma once
// The control API's request bodies for acting on a service, read into requests:
// pure functions (no daemon state), so they are unit-tested and fuzzed.
#include <expected>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "deploy/deployer.hpp"

namespace baton {
inline constexpr unsigned kMaxInstances = 1000;

// A request's body as a JSON object (an empty body is an empty object), or why not.
std::expected<nlohmann::json, std::string> parse_body_object(std::string_view text);
// Fields every action on a live service takes besides its own (`own`, may be empty): detach (a
// boolean) and who (a string). Anything else is an unknown field.
std::expected<void, std::string> check_common_fields(const nlohmann::json& body, std::string_view own);
// A deploy's body on top of `spec` (the service's config): command, env, targets, instances, cwd,
// version, strategy, who, detach.
std::expected<deploy::DeployRequest, std::string> deploy_request(const nlohmann::json& body, deploy::ReleaseSpec spec,
                                                                 const std::string& service);
// The same from the raw body text; an empty body is an empty object.
std::expected<deploy::DeployRequest, std::string> parse_deploy_body(std::string_view text, deploy::ReleaseSpec base,
                                                                    const std::string& service);
// A rollback's body: to (a release id like r3; empty: the release live before), detach, who.
std::expected<deploy::RollbackRequest, std::string> rollback_request(const nlohmann::json& body,
                                                                     const std::string& service);
// The instance count a scale, stop or start (`action`) asks for; start defaults to `config_count`.
std::expected<unsigned, std::string> scale_count(const nlohmann::json& body, const std::string& action,
                                                 unsigned config_count);
}  // namespace baton
