#include "supervisor/port_allocator.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "base/unique_fd.hpp"

namespace baton::supervisor {
namespace {
sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}
}  // namespace

TEST(PortAllocator, PicksAPortThatCanBeBound) {
  auto port = pick_free_port().value();
  EXPECT_NE(port, 0);
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  auto address = loopback(port);
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
}

TEST(PortAllocator, ActivationSocketListensAndBlocks) {
  auto socket = open_activation_socket().value();
  UniqueFd owned(socket.fd);
  EXPECT_NE(socket.address.port, 0);
  EXPECT_EQ(socket.address.host, "127.0.0.1");
  EXPECT_FALSE(::fcntl(socket.fd, F_GETFL) & O_NONBLOCK);
  EXPECT_TRUE(::fcntl(socket.fd, F_GETFD) & FD_CLOEXEC);
  UniqueFd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  auto address = loopback(socket.address.port);
  EXPECT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
}
}  // namespace baton::supervisor
