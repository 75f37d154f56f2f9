#pragma once
// The data plane: listening sockets, one Worker per proxy thread, and the
// route table they share.
#include <expected>
#include <memory>
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
  static std::expected<std::unique_ptr<ProxyServer>, std::string> start(const Config& config);
  ~ProxyServer();

  // Stops accepting, lets in-flight requests finish up to the timeout, then stops.
  // Returns the number of connections still open when it gave up.
  std::size_t shutdown(std::chrono::milliseconds timeout);
  const std::vector<Address>& bound_addresses() const { return bound_; }

  // The traffic switch: workers pick the table up at their next request. The
  // table must have the listeners the server started with, in the same order.
  // Call from one thread at a time (the control plane): it also owns registry().
  // Workers pick the table up at once: held requests re-route, idle pooled
  // connections to dropped targets close.
  void publish(std::shared_ptr<RouteTable> table);
  TargetRegistry& registry() { return registry_; }
  // The live target of an address (counters, drain deadline), or nullptr when
  // no table has it. Control thread only, like registry().
  std::shared_ptr<Target> target(const Address& address) const { return registry_.find(address); }

 private:
  ProxyServer() = default;
  std::size_t active_sessions() const;

  ProxyShared shared_;
  TargetRegistry registry_;
  std::unique_ptr<AccessLog> access_log_;
  std::vector<int> listen_fds_;
  std::vector<Address> bound_;
  std::vector<std::unique_ptr<Worker>> workers_;
};
}  // namespace baton::proxy
