#pragma once
// The control API's routes (/v1/...): JSON in and out, answered on the control
// plane's thread. docs/api.md lists them.
#include <string>

#include "control/control_server.hpp"

namespace baton {
class ServiceRuntime;
class ConfigApplier;
class SiteApi;
namespace deploy {
class Deployer;
}

struct ApiContext {
  ServiceRuntime& runtime;
  deploy::Deployer& deployer;
  ConfigApplier& config;  // its file is re-read by each deploy, so edits to a service's spec apply
  SiteApi* sites = nullptr;  // /v1/sites/...
};

awaitable<void> handle_api(const control::Request& request, control::Reply& reply, ApiContext& context);
}  // namespace baton
