#include "supervisor/port_allocator.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "base/unique_fd.hpp"

namespace baton::supervisor {
namespace {
constexpr int kActivationBacklog = SOMAXCONN;

std::unexpected<std::string> failure(std::string_view step) {
  return std::unexpected(fmt::format("cannot {} a loopback port: {}", step, std::strerror(errno)));
}
}  // namespace

std::expected<std::uint16_t, std::string> pick_free_port() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return failure("create a socket for");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), length) != 0) return failure("bind");
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0)
    return failure("read");
  return ntohs(address.sin_port);
}

std::expected<ListenSocket, std::string> open_activation_socket() {
  Address loopback{Address::Kind::tcp, "127.0.0.1", 0, {}};
  auto socket = open_listen_socket(loopback, kActivationBacklog);
  if (!socket) return socket;
  int flags = ::fcntl(socket->fd, F_GETFL);
  ::fcntl(socket->fd, F_SETFL, flags & ~O_NONBLOCK);
  return socket;
}
}  // namespace baton::supervisor
