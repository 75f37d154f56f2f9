#include "net/socket_activation.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace baton {
namespace {
ListenSocket listening_on_loopback() {
  auto socket = open_listen_socket(parse_address("127.0.0.1:0").value(), 16);
  EXPECT_TRUE(socket.has_value());
  return *socket;
}

void set_activation(const std::string& pid, const char* fds) {
  ::setenv("LISTEN_PID", pid.c_str(), 1);
  if (fds) ::setenv("LISTEN_FDS", fds, 1);
  else ::unsetenv("LISTEN_FDS");
}
}  // namespace

TEST(SocketActivation, APassedSocketServesTheAddressItListensOnOnly) {
  auto socket = listening_on_loopback();
  passed_sockets().push_back({socket.fd, "web"});
  auto other = socket.address;
  other.port = static_cast<std::uint16_t>(other.port == 65535 ? 1 : other.port + 1);
  EXPECT_FALSE(claim_passed_socket(other).has_value());
  EXPECT_FALSE(claim_passed_socket(parse_address("unix:/tmp/nothing.sock").value()).has_value());
  auto claimed = claim_passed_socket(socket.address);
  ASSERT_TRUE(claimed.has_value());
  EXPECT_EQ(claimed->fd, socket.fd);
  EXPECT_EQ(claimed->address, socket.address);
  EXPECT_TRUE(passed_sockets().empty());
  ::close(socket.fd);
}

TEST(SocketActivation, UnclaimedSocketsAreClosedAndDescribed) {
  auto socket = listening_on_loopback();
  passed_sockets().push_back({socket.fd, "extra"});
  auto closed = close_unclaimed_passed_sockets();
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0], "fd=" + std::to_string(socket.fd) + " name=extra listens_on=" + socket.address.text());
  EXPECT_TRUE(passed_sockets().empty());
  EXPECT_LT(::fcntl(socket.fd, F_GETFD), 0) << "closed";
}

TEST(SocketActivation, VariablesForAnotherProcessAreDroppedAndMalformedOnesRefused) {
  set_activation(std::to_string(::getpid() + 1), "2");
  EXPECT_TRUE(take_passed_sockets().has_value());
  EXPECT_EQ(std::getenv("LISTEN_FDS"), nullptr);
  EXPECT_TRUE(passed_sockets().empty());
  for (const char* fds :
       std::initializer_list<const char*>{"x", "-1", "99999", "", nullptr, "1x", " 1", "+1", "99999999999999999999"}) {
    set_activation(std::to_string(::getpid()), fds);
    auto taken = take_passed_sockets();
    EXPECT_FALSE(taken.has_value()) << (fds ? fds : "unset");
    EXPECT_NE(taken.error().find("LISTEN_FDS="), std::string::npos) << taken.error();
  }
  for (const std::string& pid : std::vector<std::string>{"abc", std::to_string(::getpid()) + "x",
                                                        " " + std::to_string(::getpid()), "0", "-1"}) {
    set_activation(pid, "1");
    auto taken = take_passed_sockets();
    EXPECT_FALSE(taken.has_value()) << pid;
    EXPECT_NE(taken.error().find("is not a process id"), std::string::npos) << taken.error();
  }
  set_activation(std::to_string(::getpid()), "0");
  EXPECT_TRUE(take_passed_sockets().has_value());
  EXPECT_EQ(std::getenv("LISTEN_PID"), nullptr) << "unset once taken";
}
}  // namespace baton
