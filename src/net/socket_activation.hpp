#pragma once
// Listening sockets passed by systemd (or anything that speaks its protocol): LISTEN_PID is
// this process, LISTEN_FDS the count, from descriptor 3 on, LISTEN_FDNAMES their names. A
// configured address that one of them listens on takes it instead of binding; the others are
// closed once every configured listener is open. Taken by `baton daemon` alone, or by the keeper,
// which hands them to its daemons like the sockets it binds itself.
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "net/listen_socket.hpp"

namespace baton {
struct PassedSocket {
  int fd = -1;
  std::string name;  // from LISTEN_FDNAMES, "" when none
};

// Takes the passed descriptors into this process's pool (close-on-exec from now on) and unsets
// the variables, so apps never inherit them. An error (a malformed LISTEN_FDS, a descriptor
// that is not open) takes nothing: the caller stops with it. Without the variables, or with
// another process's LISTEN_PID, the pool stays empty.
std::expected<void, std::string> take_passed_sockets();
// The pool (what is not claimed yet), e.g. to hand it across an exec.
std::vector<PassedSocket>& passed_sockets();
// A passed socket listening on `address` (getsockname; a unix socket by its path), out of the pool.
std::optional<ListenSocket> claim_passed_socket(const Address& address);
// What no address claimed: closed, and described for the log ("fd=N name=NAME listens_on=ADDRESS").
std::vector<std::string> close_unclaimed_passed_sockets();
}  // namespace baton
