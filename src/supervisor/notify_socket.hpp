#pragma once
// The unix datagram socket an instance's NOTIFY_SOCKET names (the systemd notification protocol).
// The daemon owns one per instance slot, so a message needs no credentials to say whose it is; it
// is kept across the instance's restarts, and a daemon that adopts the instance binds the same path
// again, so an app that keeps NOTIFY_SOCKET from its start still reaches the new daemon.
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>

#include "net/asio.hpp"
#include "supervisor/notify_message.hpp"

namespace baton::supervisor {
class NotifySocket : public std::enable_shared_from_this<NotifySocket> {
 public:
  using Handler = std::function<void(const NotifyMessage&)>;

  // Binds `path`, replacing a socket a previous daemon left there. A path starting with '@' is
  // in the abstract namespace (as systemd allows), for supervisors without a run directory.
  static std::expected<std::shared_ptr<NotifySocket>, std::string> open(asio::any_io_executor executor,
                                                                        std::string path);
  NotifySocket(asio::any_io_executor executor, int fd, std::string path);
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  // The value of NOTIFY_SOCKET.
  const std::string& path() const { return path_; }
  // Reads datagrams in the background until close(): each well-formed one goes to `handler`; a
  // malformed or oversized one is counted and logged (the first few, then every 1000th) and
  // changes nothing. `label` names the instance in those logs.
  void start(Handler handler, std::string label);
  // Stops reading; with `remove`, the path goes too (the instance stopped: nobody will write).
  void close(bool remove);
  std::uint64_t rejected() const { return rejected_; }

 private:
  awaitable<void> receive();
  void take(std::string_view datagram, std::size_t size);

  asio::posix::stream_descriptor socket_;
  std::string path_;
  Handler handler_;
  std::string label_;
  std::uint64_t rejected_ = 0;
};
}  // namespace baton::supervisor
