#pragma once
// The data plane: listening sockets, one Worker per proxy thread, and the
// route table they share.
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "proxy/access_log.hpp"
#include "proxy/route_table.hpp"
#include "proxy/worker.hpp"

namespace baton::proxy {
class ProxyServer {
 public:
  // Binds every listener of the config (errors: one line naming the address).
  // The access log goes to `access_log` (HOME/logs/access.log for the daemon); empty: stdout.
  static std::expected<std::unique_ptr<ProxyServer>, std::string> start(const Config& config,
                                                                        const std::filesystem::path& access_log = {});
  // SIGUSR1: the access log opened again by name.
  std::expected<void, std::string> reopen_access_log() { return access_log_->reopen(); }
  // A new [logs]: the access log's format and rotation.
  void configure_logs(const LogsConfig& logs) { access_log_->configure(logs); }
  ~ProxyServer();

  // Binds the addresses that have no listener yet, all or none: on an error (a port in use) the
  // ones bound by this call are closed again and nothing changes. They take connections once a
  // published table routes them. Control thread only.
  std::expected<void, std::string> open_listeners(const std::vector<Address>& addresses);

  // Closes every listener copy and acceptor; open connections go on, each keep-alive one
  // answering one more request with Connection: close. shutdown() may follow at any time.
  void stop_accepting();

  // Stops accepting, lets in-flight requests finish up to the timeout, then stops.
  // Returns the number of connections still open when it gave up.
  // `idle_grace`: first, for up to that long, keep-alive connections may send one more
  // request (answered with Connection: close) before idle ones are closed, so a client
  // that was about to send one never finds its connection closed under it.
  std::size_t shutdown(std::chrono::milliseconds timeout,
                       std::chrono::milliseconds idle_grace = std::chrono::milliseconds(0));

  // The traffic switch: workers pick the table up at their next request. Every
  // listener of the table must be open (open_listeners); listeners the table no
  // longer has stop accepting and their connections close after the request in
  // flight. Call from one thread at a time (the control plane): it also owns
  // registry(). Held requests re-route, idle pooled connections to dropped
  // targets close.
  void publish(std::shared_ptr<RouteTable> table);
  // The bound address (the real port when 0 was asked for) of a configured one, if open.
  std::optional<Address> bound_address(const Address& configured) const;
  TargetRegistry& registry() { return registry_; }
  // Every proxy thread's traffic counters added up. Any thread; takes each worker's
  // metrics lock briefly, never the request path's.
  metrics::TrafficByLabels traffic() const;
  struct ConnectionCounts {
    std::uint64_t open = 0;      // client connections now
    std::uint64_t accepted = 0;  // since start, shed ones not included
    std::uint64_t shed = 0;      // closed at once by the connection cap
  };
  ConnectionCounts connections() const;
  // The live target of an address (counters, drain deadline), or nullptr when
  // no table has it. Control thread only, like registry().
  std::shared_ptr<Target> target(const Address& address) const { return registry_.find(address); }

 private:
  // One listening socket; its index in listeners_ is its id, never reused, so a
  // session's listener index stays valid across tables.
  struct Listener {
    Address configured;
    Address bound;
    int fd = -1;  // -1 once closed
    bool accepting = false;
  };

  ProxyServer() = default;
  std::size_t active_sessions() const;
  std::optional<std::size_t> listener_id(const Address& configured) const;
  // Reorders the table's listeners by id; returns which ids it has.
  std::vector<bool> place_listeners(RouteTable& table);
  // Starts accepting on the listeners a published table has, stops the others.
  void sync_listeners(const std::vector<bool>& used);
  void close_listener(Listener& listener, std::size_t id);

  ProxyShared shared_;
  TargetRegistry registry_;
  std::unique_ptr<AccessLog> access_log_;
  std::vector<Listener> listeners_;
  bool stopped_ = false;  // shutdown() closed every listener
  std::vector<std::unique_ptr<Worker>> workers_;
};
}  // namespace baton::proxy
