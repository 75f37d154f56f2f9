#pragma once
// Loopback ports for instances.
#include <cstdint>
#include <expected>
#include <string>

#include "net/listen_socket.hpp"

namespace baton::supervisor {
// A loopback port that was free a moment ago. Another process may take it before the instance
// binds it (the instance then fails and is restarted on another port); socket activation has no
// such race.
std::expected<std::uint16_t, std::string> pick_free_port();

// A listening socket on a fresh loopback port for socket activation: blocking, as apps expect of an
// inherited socket, and close-on-exec in the daemon (spawn places it at fd 3 explicitly). Kept
// across restarts, so connections wait in its backlog while the instance restarts.
std::expected<ListenSocket, std::string> open_activation_socket();
}  // namespace baton::supervisor
