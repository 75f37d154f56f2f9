#include "deploy/release.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace baton::deploy {
namespace {
constexpr std::array<std::pair<ReleaseStatus, std::string_view>, 6> kStatusNames{{
    {ReleaseStatus::deploying, "deploying"},
    {ReleaseStatus::live, "live"},
    {ReleaseStatus::standby, "standby"},
    {ReleaseStatus::failed, "failed"},
    {ReleaseStatus::rolled_back, "rolled_back"},
    {ReleaseStatus::retired, "retired"},
}};
}  // namespace

std::string_view to_string(ReleaseStatus status) {
  for (const auto& [value, name] : kStatusNames)
    if (value == status) return name;
  return "unknown";
}

std::optional<ReleaseStatus> parse_release_status(std::string_view text) {
  for (const auto& [value, name] : kStatusNames)
    if (name == text) return value;
  return std::nullopt;
}

bool ReleaseSpec::is_secret(std::string_view name) const {
  return std::find(secret_env.begin(), secret_env.end(), name) != secret_env.end();
}

supervisor::EnvList ReleaseSpec::shown_env() const {
  supervisor::EnvList shown = env;
  for (auto& [name, value] : shown)
    if (is_secret(name)) value = kSecretMask;
  return shown;
}

ReleaseSpec spec_from_config(const ServiceConfig& service) {
  ReleaseSpec spec;
  spec.command = service.command;
  spec.command_is_line = service.command_is_shell_string;
  spec.cwd = service.cwd;
  spec.env = service.env;
  spec.secret_env = service.secret_env;
  spec.instances = service.instances;
  if (!service.managed()) {
    spec.targets = service.targets;
    spec.trust_targets = !service.health_configured;
  }
  spec.health = service.health;
  spec.deploy = service.deploy;
  spec.worker = service.worker;
  return spec;
}
}  // namespace baton::deploy
