#pragma once
#include <boost/asio/generic/stream_protocol.hpp>
#include <string>

#include "net/address.hpp"
#include "net/asio.hpp"

namespace baton::proxy {
// One socket type for clients and upstreams, TCP or unix: the session code is
// written once and targets may be either.
using Socket = asio::generic::stream_protocol::socket;

std::string peer_ip(const Socket& socket);
void set_no_delay(Socket& socket);
asio::generic::stream_protocol::endpoint to_endpoint(const Address& address);
// True when a pooled idle connection was closed by the upstream or has stray bytes.
bool is_stale(Socket& socket);
}  // namespace baton::proxy
