#pragma once
// POST /v1/apply {"path", "text"}, POST /v1/services (register), DELETE /v1/services/NAME: a new
// configuration through ConfigApplier, answered with a stream of JSON lines (the plan, each
// deploy's and scale's events, each new service's readiness) and an end line with the outcome.
#include <string>

#include "app/config_plan.hpp"
#include "app/control_api.hpp"

namespace baton {
// One line for the log and the stream: "start web; deploy api", or "nothing to change".
std::string plan_text(const ConfigPlan& plan);
awaitable<void> handle_apply(const control::Request& request, control::Reply& reply, ApiContext& context);
awaitable<void> handle_register(const control::Request& request, control::Reply& reply, ApiContext& context);
awaitable<void> handle_delete(const control::Request& request, control::Reply& reply, ApiContext& context,
                              const std::string& service);
}  // namespace baton
