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
// No Nagle delay, and reads that learn what is left (net/stream_receive.hpp).
void set_tcp_options(Socket& socket);
asio::generic::stream_protocol::endpoint to_endpoint(const Address& address);
}  // namespace baton::proxy
