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
