#pragma once
#include <expected>
#include <string>

#include "net/address.hpp"

namespace baton {
// A bound, listening, non-blocking, close-on-exec socket. The fd is shared by
// every proxy thread (each wraps a dup of it), so bind errors surface once, at start.
struct ListenSocket {
  int fd = -1;
  Address address;  // with the real port when 0 was asked for
  // Passed by systemd (LISTEN_FDS) or held by the keeper: a unix socket's file is not ours to remove.
  bool borrowed = false;
};

std::expected<ListenSocket, std::string> open_listen_socket(const Address& address, int backlog);
}  // namespace baton
