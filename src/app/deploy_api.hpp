#pragma once
// POST /v1/services/NAME/deploy, /rollback, /scale, /stop, /start, /restart: validate, start, then stream the
// deploy's events as JSON lines until it ends (or answer 202 at once with detach).
#include <string>

#include "app/control_api.hpp"

namespace baton {
awaitable<void> handle_deploy(const control::Request& request, control::Reply& reply, ApiContext& context,
                              const std::string& service);
awaitable<void> handle_rollback(const control::Request& request, control::Reply& reply, ApiContext& context,
                                const std::string& service);
// POST .../scale {"instances": N}, .../stop (scale to 0), .../start {"instances"?: N} (the
// config's count by default): the live release in place.
awaitable<void> handle_scale(const control::Request& request, control::Reply& reply, ApiContext& context,
                             const std::string& service, const std::string& action);
// POST .../restart: every instance replaced, without downtime, by a deploy of the live release's spec.
awaitable<void> handle_restart(const control::Request& request, control::Reply& reply, ApiContext& context,
                               const std::string& service);
control::Response api_error(const control::Request& request, unsigned status, std::string_view message);
}  // namespace baton
