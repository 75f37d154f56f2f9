#include "net/listen_socket.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace baton {
namespace {
std::unexpected<std::string> failure(const Address& a, std::string_view step, int err) {
  std::string hint;
  if (err == EADDRINUSE) hint = " (another process listens there; stop it or pick another port)";
  if (err == EACCES) hint = " (ports below 1024 need privileges)";
  if (err == EADDRNOTAVAIL) hint = " (no local interface has that address)";
  return std::unexpected(fmt::format("cannot {} {}: {}{}", step, a.text(), std::strerror(err), hint));
}
}  // namespace

std::expected<ListenSocket, std::string> open_listen_socket(const Address& address, int backlog) {
  ListenSocket out{-1, address};
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_INET;
  if (address.kind == Address::Kind::unix_path) {
    family = AF_UNIX;
    auto* sun = reinterpret_cast<sockaddr_un*>(&storage);
    if (address.path.size() >= sizeof sun->sun_path) return failure(address, "listen on", ENAMETOOLONG);
    sun->sun_family = AF_UNIX;
    std::memcpy(sun->sun_path, address.path.c_str(), address.path.size() + 1);
    length = sizeof(sockaddr_un);
    ::unlink(address.path.c_str());
  } else if (address.host.find(':') != std::string::npos) {
    family = AF_INET6;
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(address.port);
    ::inet_pton(AF_INET6, address.host.c_str(), &sin6->sin6_addr);
    length = sizeof(sockaddr_in6);
  } else {
    auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(address.port);
    ::inet_pton(AF_INET, address.host.c_str(), &sin->sin_addr);
    length = sizeof(sockaddr_in);
  }
  int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return failure(address, "create a socket for", errno);
  int one = 1;
  if (family != AF_UNIX) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    int err = errno;
    ::close(fd);
    return failure(address, "listen on", err);
  }
  if (::listen(fd, backlog) != 0) {
    int err = errno;
    ::close(fd);
    return failure(address, "listen on", err);
  }
  if (family != AF_UNIX) {
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length);
    out.address.port = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&storage)->sin_port
                                               : reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
  }
  out.fd = fd;
  return out;
}
}  // namespace baton
