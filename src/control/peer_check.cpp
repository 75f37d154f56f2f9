#include "control/peer_check.hpp"

#include <sys/socket.h>

namespace baton::control {
bool peer_allowed(uid_t peer, uid_t daemon) { return peer == daemon || peer == 0; }

std::optional<uid_t> peer_uid(int socket_fd) {
  struct ucred credentials{};
  socklen_t length = sizeof credentials;
  if (::getsockopt(socket_fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0 || length != sizeof credentials)
    return std::nullopt;
  return credentials.uid;
}
}  // namespace baton::control
