#pragma once
// The immutable routing snapshot the data plane reads. Publishing a new one is
// the traffic switch: requests that already picked a service keep it.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "balancer/target_set.hpp"
#include "config/config.hpp"
#include "http/request_parser.hpp"
#include "net/address.hpp"

namespace baton::proxy {
struct Service {
  std::string name;
  mutable TargetSet targets;  // picking rotates an atomic cursor
  Timeouts timeouts;
  http::RequestLimits limits;
  bool access_log = false;
  std::uint32_t retries = 0;
};

struct Route {
  std::string host;  // lower-case; "" matches any host; "*.x.com" matches sub-domains
  std::string path;  // prefix
  const Service* service = nullptr;
};

struct ListenerRoutes {
  Address address;
  std::string host_text;  // Host for HTTP/1.0 requests that send none
  std::vector<Route> routes;  // most specific first
};

class RouteTable {
 public:
  std::vector<std::shared_ptr<const Service>> services;
  std::vector<ListenerRoutes> listeners;  // index = listener id

  const Service* match(std::size_t listener, std::string_view host, std::string_view path) const;
};

// Keeps Target objects (and their counters and pooled connections) alive across
// route tables for addresses that stay.
class TargetRegistry {
 public:
  std::shared_ptr<Target> get(const Address& address);

 private:
  std::vector<std::shared_ptr<Target>> targets_;
  std::uint64_t next_id_ = 1;
};

// Addresses of the ready instances of each managed service, by service name.
using ManagedTargets = std::map<std::string, std::vector<Address>, std::less<>>;

// External services route to their configured targets; managed ones to `managed`.
std::shared_ptr<RouteTable> build_route_table(const Config& config, TargetRegistry& registry,
                                              const ManagedTargets& managed);
}  // namespace baton::proxy
