#include "control/access.hpp"

#include <array>

namespace baton::control {
namespace {
using boost::beast::http::verb;

// POST /v1/services/NAME/ACTION and /v1/sites/NAME/ACTION that ship or steer releases.
constexpr std::array<std::string_view, 11> kServiceDeployActions = {
    "deploy", "rollback", "scale", "stop", "start", "restart", "pause", "resume", "promote", "abort", "artifacts"};
constexpr std::array<std::string_view, 2> kSiteDeployActions = {"releases", "rollback"};

// "/v1/services/web/deploy" with prefix "/v1/services/" -> "deploy"; "" unless NAME/ACTION.
std::string_view action_of(std::string_view path, std::string_view prefix) {
  if (!path.starts_with(prefix)) return {};
  path.remove_prefix(prefix.size());
  auto slash = path.find('/');
  if (slash == 0 || slash == std::string_view::npos) return {};
  auto action = path.substr(slash + 1);
  return action.find('/') == std::string_view::npos ? action : std::string_view{};
}

template <std::size_t N>
bool among(std::string_view action, const std::array<std::string_view, N>& actions) {
  for (auto a : actions)
    if (a == action) return true;
  return false;
}
}  // namespace

std::string_view to_string(Scope scope) {
  switch (scope) {
    case Scope::read: return "read";
    case Scope::deploy: return "deploy";
    case Scope::admin: return "admin";
  }
  return "admin";
}

std::optional<Scope> parse_scope(std::string_view text) {
  if (text == "read") return Scope::read;
  if (text == "deploy") return Scope::deploy;
  if (text == "admin") return Scope::admin;
  return std::nullopt;
}

Scope required_scope(verb method, std::string_view target) {
  auto path = target.substr(0, target.find('?'));
  if (path.starts_with("/v1/tokens")) return Scope::admin;  // even listing them
  if (method == verb::get || method == verb::head) return Scope::read;
  if (method != verb::post) return Scope::admin;
  if (among(action_of(path, "/v1/services/"), kServiceDeployActions)) return Scope::deploy;
  if (among(action_of(path, "/v1/sites/"), kSiteDeployActions)) return Scope::deploy;
  return Scope::admin;
}
}  // namespace baton::control
