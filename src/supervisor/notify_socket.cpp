#include "supervisor/notify_socket.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>

#include <fmt/format.h>

#include "base/log.hpp"
#include "base/unique_fd.hpp"

namespace baton::supervisor {
namespace {
// Malformed messages logged one by one; past these, every kRejectLogEvery-th, so a broken app
// cannot fill the daemon's log.
constexpr std::uint64_t kRejectsLoggedEach = 5;
constexpr std::uint64_t kRejectLogEvery = 1000;

std::unexpected<std::string> failed(std::string_view what, const std::string& path) {
  return std::unexpected(fmt::format("cannot {} notify socket {}: {}", what, path, std::strerror(errno)));
}
}  // namespace

std::expected<std::shared_ptr<NotifySocket>, std::string> NotifySocket::open(asio::any_io_executor executor,
                                                                              std::string path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address.sun_path))
    return std::unexpected(fmt::format("the notify socket path {} is longer than {} bytes: use a shorter home "
                                       "directory", path, sizeof(address.sun_path) - 1));
  std::memcpy(address.sun_path, path.data(), path.size());
  bool abstract = path.front() == '@';
  if (abstract) address.sun_path[0] = '\0';
  else if (::unlink(path.c_str()) != 0 && errno != ENOENT) return failed("remove the old", path);
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return failed("create the", path);
  auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + (abstract ? 0 : 1));
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0) return failed("bind the", path);
  // Only the daemon's user may tell it an instance is ready.
  if (!abstract && ::chmod(path.c_str(), 0600) != 0) return failed("restrict the", path);
  return std::make_shared<NotifySocket>(std::move(executor), fd.release(), std::move(path));
}

NotifySocket::NotifySocket(asio::any_io_executor executor, int fd, std::string path)
    : socket_(executor, fd), path_(std::move(path)) {}

void NotifySocket::start(Handler handler, std::string label) {
  handler_ = std::move(handler);
  label_ = std::move(label);
  asio::co_spawn(socket_.get_executor(), [self = shared_from_this()] { return self->receive(); }, asio::detached);
}

void NotifySocket::close(bool remove) {
  error_code ignored;
  socket_.close(ignored);
  handler_ = nullptr;
  if (remove && !path_.starts_with('@')) ::unlink(path_.c_str());
}

awaitable<void> NotifySocket::receive() {
  // One byte more than a message may have, so an oversized one is seen; MSG_TRUNC gives its real
  // length. Without a control buffer, file descriptors sent along are closed by the kernel.
  std::array<char, kMaxNotifyMessage + 1> buffer{};
  while (socket_.is_open()) {
    auto [ec] = co_await socket_.async_wait(asio::posix::descriptor_base::wait_read, use_nothrow);
    if (ec) co_return;
    for (;;) {
      ssize_t got = ::recv(socket_.native_handle(), buffer.data(), buffer.size(), MSG_DONTWAIT | MSG_TRUNC);
      if (got < 0) break;  // EAGAIN: every waiting datagram is read
      auto size = static_cast<std::size_t>(got);
      take(std::string_view(buffer.data(), std::min(size, buffer.size())), size);
      if (!socket_.is_open()) co_return;  // the handler closed it
    }
  }
}

void NotifySocket::take(std::string_view datagram, std::size_t size) {
  auto message = parse_notify_message(datagram);
  if (size > kMaxNotifyMessage) message = std::unexpected(fmt::format("{} bytes, more than {}", size, kMaxNotifyMessage));
  if (message) {
    if (handler_) handler_(*message);
    return;
  }
  ++rejected_;
  if (rejected_ <= kRejectsLoggedEach || rejected_ % kRejectLogEvery == 0)
    log::warn("event=notify_message_rejected instance={} reason=\"{}\" rejected={}", label_, message.error(),
              rejected_);
}
}  // namespace baton::supervisor
