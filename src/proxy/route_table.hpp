#pragma once
// The immutable routing snapshot the data plane reads. Publishing a new one is
// the traffic switch: requests that already picked a service keep it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "balancer/target_set.hpp"
#include "config/config.hpp"
#include "proxy/affinity.hpp"
#include "proxy/static_site.hpp"
#include "http/request_parser.hpp"
#include "net/address.hpp"

namespace baton::proxy {
// One upstream of a service at runtime, with the release it belongs to.
struct RoutedTarget {
  Address address;
  std::string release;  // "" for external targets and single-release services
};

// What the control plane decides for a service at runtime (managed instances, or external
// targets after a deploy). Services absent from the map use their configured targets.
struct RuntimeRoute {
  std::vector<RoutedTarget> targets;
  bool paused = false;                         // hold new requests until a table without the pause
  std::chrono::milliseconds max_pause{30000};  // a held request gets 503 after this long
  std::size_t max_waiting = 1024;              // held requests beyond this get 503 at once
  bool version_affinity = true;                // pin clients to a release while several serve
  std::chrono::milliseconds affinity_ttl{300000};  // cookie Max-Age
  std::map<std::string, unsigned> weights;     // per release, in percent: ReleaseSplit; empty = unweighted
  std::string canary;                          // the release `X-Baton-Canary: always` asks for
  // Every release the deploy routes to, even one with no healthy instance at the moment: while
  // there are two, clients get the affinity cookie, so one that reached the new release is not
  // sent back to the old one when an old instance turns healthy a moment later.
  std::vector<std::string> releases;
};
using RuntimeRoutes = std::map<std::string, RuntimeRoute, std::less<>>;

// Counted across all workers and across route tables: every table's Service of
// one name shares one.
struct SharedCounts {
  std::atomic<std::size_t> waiting{0};  // requests held for a paused service
  // Position in the weighted release round: a new table (a health change, the next canary step)
  // goes on where the last stopped, so frequent publishes do not starve a light release.
  std::atomic<std::uint64_t> split_position{0};
};

struct Service {
  std::string name;
  mutable TargetSet targets;  // picking rotates an atomic cursor
  Timeouts timeouts;
  http::RequestLimits limits;
  bool access_log = false;
  std::uint32_t retries = 0;
  bool underscores_in_headers = false;
  bool paused = false;
  std::chrono::milliseconds max_pause{0};
  std::size_t max_waiting = 0;
  std::shared_ptr<SharedCounts> shared;
  Affinity affinity;  // enabled only while the targets span several releases
  std::shared_ptr<const StaticSite> site;  // set: a static site answers, there are no targets
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

  std::vector<std::uint64_t> target_ids;  // sorted: of every service

  const Service* match(std::size_t listener, std::string_view host, std::string_view path) const;
  bool has_target(std::uint64_t id) const;
};

// Keeps Target objects (and their counters and pooled connections) alive across
// route tables for addresses that stay, and the SharedCounts of each service
// name. Used from one thread (the control plane).
class TargetRegistry {
 public:
  std::shared_ptr<Target> get(const Address& address);
  // The target of an address, or nullptr when no table has it.
  std::shared_ptr<Target> find(const Address& address) const;
  std::shared_ptr<SharedCounts> shared_counts(std::string_view service);
  // Forgets targets and counts nothing else refers to any more: no table, no
  // session, no caller holds them. Deploys then do not grow memory.
  void prune();
  std::size_t size() const { return targets_.size(); }

 private:
  std::vector<std::shared_ptr<Target>> targets_;
  std::map<std::string, std::shared_ptr<SharedCounts>, std::less<>> shared_;
  std::uint64_t next_id_ = 1;
};

// Services in `runtime` route to its targets and settings; the others to their
// configured targets (none for a managed service). Prunes the registry.
std::shared_ptr<RouteTable> build_route_table(const Config& config, TargetRegistry& registry,
                                              const RuntimeRoutes& runtime);
}  // namespace baton::proxy
