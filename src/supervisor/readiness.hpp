#pragma once
#include <chrono>
#include <cstdint>

#include "net/asio.hpp"

namespace baton::supervisor {
// Completes once something accepts TCP connections on 127.0.0.1:port, trying every `interval`.
// The deploy engine adds real health checks on top; this only says the app is listening.
// Cancellable: it returns early when the awaiting coroutine is cancelled.
awaitable<void> wait_until_accepting(std::uint16_t port, std::chrono::milliseconds interval);

// Whether the awaiting coroutine has been cancelled: loops that wait on timers check it
// between waits, because a timer wait that completes at the moment of cancellation succeeds.
awaitable<bool> cancelled();
}  // namespace baton::supervisor
