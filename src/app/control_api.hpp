#pragma once
// The control API's routes (/v1/...): JSON in and out, answered on the control
// plane's thread. docs/api.md lists them.
#include <atomic>
#include <string>

#include "control/control_server.hpp"

namespace baton {
class ServiceRuntime;
class ConfigApplier;
class SiteApi;
class AppArtifacts;
namespace deploy {
class Deployer;
}
namespace control {
class TokenStore;
}

struct ApiContext {
  ServiceRuntime& runtime;
  deploy::Deployer& deployer;
  ConfigApplier& config;  // its file is re-read by each deploy, so edits to a service's spec apply
  SiteApi* sites = nullptr;  // /v1/sites/...
  // Set by POST /v1/shutdown with {"stop_apps": true}: the only way the daemon's own stop
  // also stops the apps (a signal, a restart or an upgrade leaves them for the next daemon).
  std::atomic<bool>* stop_apps_on_shutdown = nullptr;
  AppArtifacts* artifacts = nullptr;  // deploy --from: HOME/apps/NAME/releases/
  control::TokenStore* tokens = nullptr;  // /v1/tokens: the admin listener's named tokens
};

awaitable<void> handle_api(const control::Request& request, control::Reply& reply, ApiContext& context);
}  // namespace baton
