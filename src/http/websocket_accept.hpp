#pragma once
#include <string>
#include <string_view>

namespace baton::http {
// The Sec-WebSocket-Accept a server must answer for `key` (RFC 6455 §4.2.2).
// Baton checks it before it turns a connection into a tunnel, so an upstream
// cannot be tricked into a fake upgrade that smuggles raw requests past routing.
std::string websocket_accept(std::string_view key);
}  // namespace baton::http
