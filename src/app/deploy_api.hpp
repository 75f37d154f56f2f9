#pragma once
// POST /v1/services/NAME/deploy and /rollback: validate, start, then stream the
// deploy's events as JSON lines until it ends (or answer 202 at once with detach).
#include <string>

#include "app/control_api.hpp"

namespace baton {
awaitable<void> handle_deploy(const control::Request& request, control::Reply& reply, ApiContext& context,
                              const std::string& service);
awaitable<void> handle_rollback(const control::Request& request, control::Reply& reply, ApiContext& context,
                                const std::string& service);
control::Response api_error(const control::Request& request, unsigned status, std::string_view message);
}  // namespace baton
