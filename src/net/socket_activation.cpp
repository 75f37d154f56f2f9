#include "net/socket_activation.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string_view>

#include "net/whole_number.hpp"

namespace baton {
namespace {
constexpr int kFirstPassedFd = 3;  // SD_LISTEN_FDS_START
constexpr int kMaxPassedFds = 4096;

std::vector<PassedSocket> pool;

std::vector<std::string> names_from(const char* text, int count) {
  std::vector<std::string> names;
  std::string_view rest = text ? text : "";
  while (text && static_cast<int>(names.size()) < count + 1) {
    auto colon = rest.find(':');
    names.emplace_back(rest.substr(0, colon));
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  if (static_cast<int>(names.size()) != count) names.assign(static_cast<std::size_t>(count), "");
  return names;
}

void unset_variables() {
  for (const char* name : {"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"}) ::unsetenv(name);
}

struct SocketName {
  sockaddr_storage storage{};
  socklen_t length = sizeof(sockaddr_storage);
};

std::optional<SocketName> listening_stream(int fd) {
  int type = 0, accepting = 0;
  socklen_t size = sizeof type;
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &size) != 0 || type != SOCK_STREAM) return std::nullopt;
  size = sizeof accepting;
  if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &size) != 0 || !accepting) return std::nullopt;
  SocketName name;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&name.storage), &name.length) != 0) return std::nullopt;
  return name;
}

std::string describe(const SocketName& name) {
  char host[INET6_ADDRSTRLEN] = {};
  const auto* any = reinterpret_cast<const sockaddr*>(&name.storage);
  if (any->sa_family == AF_UNIX) {
    const auto* sun = reinterpret_cast<const sockaddr_un*>(&name.storage);
    return "unix:" + std::string(sun->sun_path, strnlen(sun->sun_path, sizeof sun->sun_path));
  }
  if (any->sa_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&name.storage);
    ::inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(ntohs(sin->sin_port));
  }
  if (any->sa_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&name.storage);
    ::inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(sin6->sin6_port));
  }
  return "family " + std::to_string(any->sa_family);
}

bool dual_stack(int fd) {
  int only = 1;
  socklen_t size = sizeof only;
  return ::getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only, &size) == 0 && only == 0;
}

bool listens_on(int fd, const Address& address) {
  auto name = listening_stream(fd);
  if (!name) return false;
  auto text = describe(*name);
  if (text == address.text()) return true;
  // systemd's `ListenStream=80` is [::]:80 taking IPv4 too: it serves a configured 0.0.0.0:80.
  return address.kind == Address::Kind::tcp && address.host == "0.0.0.0" && address.port != 0 &&
         text == "[::]:" + std::to_string(address.port) && dual_stack(fd);
}
}  // namespace

std::expected<void, std::string> take_passed_sockets() {
  const char* fds_text = std::getenv("LISTEN_FDS");
  const char* pid_text = std::getenv("LISTEN_PID");
  if (!fds_text && !pid_text) return {};
  int count = fds_text ? parse_whole_number<int>(fds_text, 0, kMaxPassedFds).value_or(-1) : -1;
  auto pid = pid_text ? parse_whole_number<pid_t>(pid_text, 1) : std::nullopt;
  if (!pid) return std::unexpected(std::string("LISTEN_PID='") + (pid_text ? pid_text : "") + "' is not a process id");
  if (*pid != ::getpid()) {
    unset_variables();  // meant for another process (the one that exec'd us kept them)
    return {};
  }
  if (count < 0)
    return std::unexpected(std::string("LISTEN_FDS='") + (fds_text ? fds_text : "") +
                           "' is not a count of passed descriptors (0 to " + std::to_string(kMaxPassedFds) + ")");
  for (int fd = kFirstPassedFd; fd < kFirstPassedFd + count; ++fd)
    if (::fcntl(fd, F_GETFD) < 0)
      return std::unexpected("LISTEN_FDS=" + std::to_string(count) + " but descriptor " + std::to_string(fd) +
                             " is not open");
  auto names = names_from(std::getenv("LISTEN_FDNAMES"), count);
  for (int i = 0; i < count; ++i) {
    ::fcntl(kFirstPassedFd + i, F_SETFD, FD_CLOEXEC);
    pool.push_back({kFirstPassedFd + i, names[static_cast<std::size_t>(i)]});
  }
  unset_variables();
  return {};
}

std::vector<PassedSocket>& passed_sockets() { return pool; }

std::optional<ListenSocket> claim_passed_socket(const Address& address) {
  for (auto it = pool.begin(); it != pool.end(); ++it) {
    if (!listens_on(it->fd, address)) continue;
    ListenSocket socket{it->fd, address, true};
    pool.erase(it);
    return socket;
  }
  return std::nullopt;
}

std::vector<std::string> close_unclaimed_passed_sockets() {
  std::vector<std::string> closed;
  for (const auto& passed : pool) {
    auto name = listening_stream(passed.fd);
    closed.push_back("fd=" + std::to_string(passed.fd) + " name=" + (passed.name.empty() ? "-" : passed.name) +
                     " listens_on=" + (name ? describe(*name) : "not-a-listening-stream-socket"));
    ::close(passed.fd);
  }
  pool.clear();
  return closed;
}
}  // namespace baton
