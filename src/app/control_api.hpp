#pragma once
// The control API's routes (/v1/...): JSON in and out, answered on the control
// plane's thread from the supervisor's and the proxy's read-only views.
#include "control/control_server.hpp"

namespace baton {
class ManagedServices;

control::Response handle_api(const control::Request& request, ManagedServices& services);
}  // namespace baton
