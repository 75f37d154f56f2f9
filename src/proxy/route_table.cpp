#include "proxy/route_table.hpp"

#include <algorithm>

namespace baton::proxy {
namespace {
// Host header without port, compared case-insensitively.
bool host_matches(std::string_view pattern, std::string_view host) {
  if (pattern.empty()) return true;
  if (auto colon = host.rfind(':'); colon != std::string_view::npos && host.find(']') == std::string_view::npos)
    host = host.substr(0, colon);
  else if (host.starts_with('[')) host = host.substr(0, host.find(']') + 1);
  auto equal_nocase = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == y; });
  };
  if (pattern.starts_with("*.")) {
    auto suffix = pattern.substr(1);
    return host.size() > suffix.size() && equal_nocase(host.substr(host.size() - suffix.size()), suffix);
  }
  return equal_nocase(host, pattern);
}

int host_rank(const Route& r) { return r.host.empty() ? 2 : r.host.starts_with("*.") ? 1 : 0; }

http::RequestLimits to_request_limits(const Limits& l) {
  return {l.max_request_line, l.max_header_bytes, l.max_header_count, l.max_field_bytes, l.max_body};
}
}  // namespace

const Service* RouteTable::match(std::size_t listener, std::string_view host, std::string_view path) const {
  if (listener >= listeners.size()) return nullptr;
  for (const auto& route : listeners[listener].routes)
    if (path.starts_with(route.path) && host_matches(route.host, host)) return route.service;
  return nullptr;
}

bool RouteTable::has_target(std::uint64_t id) const {
  return std::binary_search(target_ids.begin(), target_ids.end(), id);
}

std::shared_ptr<Target> TargetRegistry::get(const Address& address) {
  if (auto t = find(address)) return t;
  auto t = std::make_shared<Target>();
  t->id = next_id_++;
  t->address = address;
  t->address_text = address.text();
  targets_.push_back(t);
  return t;
}

std::shared_ptr<Target> TargetRegistry::find(const Address& address) const {
  for (const auto& t : targets_)
    if (t->address == address) return t;
  return nullptr;
}

std::shared_ptr<SharedCounts> TargetRegistry::shared_counts(std::string_view service) {
  auto it = shared_.find(service);
  if (it == shared_.end()) it = shared_.emplace(std::string(service), std::make_shared<SharedCounts>()).first;
  return it->second;
}

// use_count() == 1 is stable here: only a table (built on this thread) or a
// caller of get()/find() could add a reference, and neither is running.
void TargetRegistry::prune() {
  std::erase_if(targets_, [](const auto& t) { return t.use_count() == 1; });
  std::erase_if(shared_, [](const auto& entry) { return entry.second.use_count() == 1; });
}

namespace {
std::shared_ptr<Service> make_service(const std::string& name, const ServiceConfig& sc, TargetRegistry& registry,
                                      const RuntimeRoute* runtime) {
  static const RuntimeRoute kConfigured;
  std::vector<std::shared_ptr<Target>> targets;
  std::vector<std::string> releases;
  if (runtime) {
    for (const auto& t : runtime->targets) {
      targets.push_back(registry.get(t.address));
      releases.push_back(t.release);
    }
  } else if (!sc.managed() && !sc.health_configured) {
    // Health-checked targets earn traffic by passing their first check: the control plane
    // publishes them then. Routing them before would serve, then drop them, then serve again.
    for (const auto& a : sc.targets) targets.push_back(registry.get(a));
  }
  const auto& rt = runtime ? *runtime : kConfigured;
  auto policy = sc.balance == BalancePolicy::least_conn ? Policy::least_conn : Policy::round_robin;
  auto service = std::shared_ptr<Service>(new Service{
      .name = name,
      .targets = TargetSet(std::move(targets), policy, std::move(releases), rt.weights, rt.canary),
      .timeouts = sc.timeouts,
      .limits = to_request_limits(sc.limits),
      .access_log = sc.access_log,
      .retries = sc.retries,
      .underscores_in_headers = sc.underscores_in_headers,
      .paused = rt.paused,
      .max_pause = rt.max_pause,
      .max_waiting = rt.max_waiting,
      .shared = registry.shared_counts(name),
      .affinity = {},
      .site = nullptr,
  });
  // Weights do not force the cookie on: with `version_affinity = false` a canary splits requests,
  // not clients, which is what cookie-less clients and caches that ignore cookies get anyway.
  service->affinity = make_affinity(name, service->targets, rt.version_affinity, rt.affinity_ttl, rt.releases.size());
  return service;
}

// `owner` is a ServiceConfig or a SiteConfig: both say where they answer.
template <typename Owner>
void add_routes(RouteTable& table, const Owner& owner, const Service* service) {
  auto listener = std::find_if(table.listeners.begin(), table.listeners.end(),
                               [&](const ListenerRoutes& l) { return l.address == owner.listen; });
  if (listener == table.listeners.end()) {
    table.listeners.push_back({owner.listen, owner.listen.text(), {}});
    listener = table.listeners.end() - 1;
  }
  if (owner.hosts.empty()) listener->routes.push_back({"", owner.path, service});
  for (const auto& h : owner.hosts) listener->routes.push_back({h, owner.path, service});
}

std::shared_ptr<Service> make_site_service(const SiteConfig& site, const ProxyConfig& proxy) {
  auto service = std::shared_ptr<Service>(new Service{
      .name = site.name,
      .targets = TargetSet({}, Policy::round_robin),
      .timeouts = proxy.timeouts,
      .limits = to_request_limits(proxy.limits),
      .access_log = site.access_log,
      .retries = 0,
      .underscores_in_headers = false,
      .paused = false,
      .max_pause = {},
      .max_waiting = 0,
      .shared = nullptr,
      .affinity = {},
      .site = std::make_shared<const StaticSite>(make_static_site(site)),
  });
  return service;
}
}  // namespace

std::shared_ptr<RouteTable> build_route_table(const Config& config, TargetRegistry& registry,
                                              const RuntimeRoutes& runtime) {
  auto table = std::make_shared<RouteTable>();
  for (const auto& [name, sc] : config.services) {
    if (sc.worker) continue;  // takes no requests
    auto it = runtime.find(name);
    auto service = make_service(name, sc, registry, it == runtime.end() ? nullptr : &it->second);
    add_routes(*table, sc, service.get());
    for (const auto& t : service->targets.targets()) table->target_ids.push_back(t->id);
    table->services.push_back(std::move(service));
  }
  for (const auto& [name, site] : config.sites) {
    auto service = make_site_service(site, config.proxy);
    add_routes(*table, site, service.get());
    table->services.push_back(std::move(service));
  }
  for (auto& l : table->listeners)
    std::stable_sort(l.routes.begin(), l.routes.end(), [](const Route& a, const Route& b) {
      if (host_rank(a) != host_rank(b)) return host_rank(a) < host_rank(b);
      return a.path.size() > b.path.size();
    });
  std::ranges::sort(table->target_ids);
  registry.prune();
  return table;
}
}  // namespace baton::proxy
