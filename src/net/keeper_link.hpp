#pragma once
// The daemon's side of the keeper (app/keeper.cpp): a process that holds every
// listening socket so a daemon's crash or replacement never closes one. When the
// daemon runs under a keeper (BATON_KEEPER_FD names a SOCK_SEQPACKET socket to
// it), listeners are asked of the keeper, which binds each address once and hands
// out copies (SCM_RIGHTS); connections that arrive while no daemon runs wait in
// the kernel's accept queue. Without a keeper, the daemon binds them itself.
#include <expected>
#include <string>

#include "net/listen_socket.hpp"

namespace baton {
inline constexpr const char* kKeeperFdVariable = "BATON_KEEPER_FD";

// Takes the keeper's descriptor from the environment (and out of it, so apps do
// not inherit it); later calls use it. False when the daemon runs without a keeper; an error
// when the variable names no open descriptor.
std::expected<bool, std::string> attach_to_keeper();
bool under_keeper();

// A listening socket for `address`: the keeper's when under one, else one passed by systemd
// (net/socket_activation.hpp) that listens there, else a new one.
// `unix_mode` (e.g. 0600) is applied to a unix socket's file when not 0.
std::expected<ListenSocket, std::string> acquire_listen_socket(const Address& address, int backlog,
                                                               unsigned unix_mode = 0);
// The listener is no longer wanted: the keeper closes its copy, so connections
// are refused rather than queued for no one. Does nothing without a keeper.
void release_listen_socket(const Address& address);
// The daemon serves: the keeper counts an upgrade done from here.
void tell_keeper_ready();
// The daemon's exit that follows is a stop (`baton shutdown`), not a crash or a restart:
// the keeper exits with it instead of starting a new daemon.
void tell_keeper_stopping();
// The daemon no longer accepts, supervises or holds the home; it only drains its open
// connections: the keeper starts the next daemon now (unless it is stopping) and reaps this one later.
void tell_keeper_released();
// A daemon that drained and left its apps running for the next one exits with this.
inline constexpr int kHandedOverExit = 75;

// A new listening socket; a unix socket's file is created under umask 077, then given `unix_mode`
// (when not 0), so no other user can connect in between. Used by the keeper and without one.
std::expected<ListenSocket, std::string> open_listen_socket_with_mode(const Address& address, int backlog,
                                                                      unsigned unix_mode);

// The keeper's side of one exchange, shared with its tests: "listen BACKLOG MODE ADDRESS" or
// "close ADDRESS" in, "ok BOUND" (with the descriptor) or "error MESSAGE" out.
std::string keeper_request_listen(const Address& address, int backlog, unsigned unix_mode);
std::string keeper_request_close(const Address& address);
// Sends one message with an optional descriptor; receives one (fd -1 when none came).
bool send_message(int socket, std::string_view text, int fd = -1);
bool receive_message(int socket, std::string& text, int& fd);
}  // namespace baton
