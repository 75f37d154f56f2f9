#pragma once
// POST /v1/logs/flush [{"service": NAME}]: `baton flush [NAME]` (docs/api.md).
#include "app/control_api.hpp"

namespace baton {
awaitable<void> handle_flush(const control::Request& request, control::Reply& reply, ApiContext& context);
// GET /v1/logs[?service=NAME&lines=N&since=TIME&stream=out|err&json=1&follow=1]: `baton logs` from
// another machine. The lines come as JSON lines {"line": TEXT}, chosen and rendered as the CLI does
// on the daemon's machine; with follow, new lines keep coming until the client goes.
awaitable<void> handle_logs(const control::Request& request, control::Reply& reply, ApiContext& context);
}
