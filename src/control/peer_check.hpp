#pragma once
// Who may talk to the control socket: besides its mode (0600), every accepted connection's peer
// credentials are checked, so a socket whose mode was loosened, or a descriptor passed on,
// still serves only the daemon's own user and root.
#include <sys/types.h>

#include <optional>

namespace baton::control {
bool peer_allowed(uid_t peer, uid_t daemon);
// The uid of the process at the other end of a connected unix socket (SO_PEERCRED).
std::optional<uid_t> peer_uid(int socket_fd);
}  // namespace baton::control
