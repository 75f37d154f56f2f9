#include "net/keeper_link.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <mutex>

#include "net/socket_activation.hpp"
#include "net/whole_number.hpp"

namespace baton {
namespace {
constexpr std::size_t kMaxMessage = 4096;
int keeper_fd = -1;
std::mutex keeper_mutex;  // one exchange at a time: replies carry no id
}  // namespace

bool send_message(int socket, std::string_view text, int fd) {
  iovec part{const_cast<char*>(text.data()), text.size()};
  msghdr message{};
  message.msg_iov = &part;
  message.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  if (fd >= 0) {
    std::memset(control, 0, sizeof control);
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    auto* header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(header), &fd, sizeof(int));
  }
  for (;;) {
    auto sent = ::sendmsg(socket, &message, MSG_NOSIGNAL);
    if (sent >= 0) return static_cast<std::size_t>(sent) == text.size();
    if (errno != EINTR) return false;
  }
}

bool receive_message(int socket, std::string& text, int& fd) {
  char buffer[kMaxMessage];
  iovec part{buffer, sizeof buffer};
  msghdr message{};
  message.msg_iov = &part;
  message.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  fd = -1;
  ssize_t got;
  do {
    got = ::recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
  } while (got < 0 && errno == EINTR);
  if (got <= 0) return false;
  for (auto* header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header))
    if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS)
      std::memcpy(&fd, CMSG_DATA(header), sizeof(int));
  text.assign(buffer, static_cast<std::size_t>(got));
  return (message.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) == 0;
}

std::expected<ListenSocket, std::string> open_listen_socket_with_mode(const Address& address, int backlog,
                                                                      unsigned unix_mode) {
  bool restrict = unix_mode != 0 && address.kind == Address::Kind::unix_path;
  mode_t old_mask = restrict ? ::umask(0077) : 0;
  auto socket = open_listen_socket(address, backlog);
  if (restrict) {
    ::umask(old_mask);
    if (socket) ::chmod(address.path.c_str(), unix_mode);
  }
  return socket;
}

std::string keeper_request_listen(const Address& address, int backlog, unsigned unix_mode) {
  return fmt::format("listen {} {:o} {}", backlog, unix_mode, address.text());
}

std::string keeper_request_close(const Address& address) { return "close " + address.text(); }

std::expected<bool, std::string> attach_to_keeper() {
  const char* text = std::getenv(kKeeperFdVariable);
  if (!text) return false;
  std::string value = text;
  ::unsetenv(kKeeperFdVariable);
  auto fd = parse_whole_number<int>(value, 3);
  if (!fd || ::fcntl(*fd, F_SETFD, FD_CLOEXEC) != 0)
    return std::unexpected(fmt::format("{}='{}' is not an open descriptor from 3 on (the keeper's link)",
                                       kKeeperFdVariable, value));
  keeper_fd = *fd;
  return true;
}

bool under_keeper() { return keeper_fd >= 0; }

std::expected<ListenSocket, std::string> acquire_listen_socket(const Address& address, int backlog,
                                                               unsigned unix_mode) {
  if (keeper_fd < 0) {
    if (auto passed = claim_passed_socket(address)) {
      ::fcntl(passed->fd, F_SETFL, ::fcntl(passed->fd, F_GETFL) | O_NONBLOCK);
      return *passed;
    }
    return open_listen_socket_with_mode(address, backlog, unix_mode);
  }
  std::lock_guard lock(keeper_mutex);
  std::string reply;
  int fd = -1;
  if (!send_message(keeper_fd, keeper_request_listen(address, backlog, unix_mode)) ||
      !receive_message(keeper_fd, reply, fd))
    return std::unexpected("cannot listen on " + address.text() + ": the keeper does not answer");
  if (!reply.starts_with("ok ") || fd < 0) {
    if (fd >= 0) ::close(fd);
    return std::unexpected(reply.starts_with("error ") ? reply.substr(6) : "the keeper's answer is malformed: " + reply);
  }
  auto bound = parse_address(std::string_view(reply).substr(3));
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return ListenSocket{fd, bound ? *bound : address, true};
}

namespace {
// A request whose answer carries nothing but "ok".
void tell_keeper(std::string_view request) {
  if (keeper_fd < 0) return;
  std::lock_guard lock(keeper_mutex);
  std::string reply;
  int fd = -1;
  if (send_message(keeper_fd, request) && receive_message(keeper_fd, reply, fd) && fd >= 0) ::close(fd);
}
}  // namespace

void tell_keeper_ready() { tell_keeper("ready"); }

void tell_keeper_stopping() { tell_keeper("stop"); }

void tell_keeper_released() { tell_keeper("released"); }

void release_listen_socket(const Address& address) { tell_keeper(keeper_request_close(address)); }
}  // namespace baton
