#include "proxy/socket_util.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "net/stream_receive.hpp"

namespace baton::proxy {
std::string peer_ip(const Socket& socket) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  if (::getpeername(const_cast<Socket&>(socket).native_handle(), reinterpret_cast<sockaddr*>(&storage), &length) != 0)
    return "unknown";
  char text[INET6_ADDRSTRLEN] = "";
  if (storage.ss_family == AF_INET)
    ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&storage)->sin_addr, text, sizeof text);
  else if (storage.ss_family == AF_INET6)
    ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&storage)->sin6_addr, text, sizeof text);
  else
    return "unix";
  return text;
}

void set_tcp_options(Socket& socket) {
  int one = 1;
  ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  net::enable_queue_hint(socket);
}

asio::generic::stream_protocol::endpoint to_endpoint(const Address& address) {
  if (address.kind == Address::Kind::unix_path)
    return asio::local::stream_protocol::endpoint(address.path);
  return tcp::endpoint(asio::ip::make_address(address.host), address.port);
}
}  // namespace baton::proxy
