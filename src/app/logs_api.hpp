#pragma once
// POST /v1/logs/flush [{"service": NAME}]: `baton flush [NAME]` (docs/api.md).
#include "app/control_api.hpp"

namespace baton {
awaitable<void> handle_flush(const control::Request& request, control::Reply& reply, ApiContext& context);
}
