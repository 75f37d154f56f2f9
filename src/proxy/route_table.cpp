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
  return {l.max_request_line, l.max_header_bytes, l.max_header_count, l.max_body};
}
}  // namespace

const Service* RouteTable::match(std::size_t listener, std::string_view host, std::string_view path) const {
  if (listener >= listeners.size()) return nullptr;
  for (const auto& route : listeners[listener].routes)
    if (path.starts_with(route.path) && host_matches(route.host, host)) return route.service;
  return nullptr;
}

std::shared_ptr<Target> TargetRegistry::get(const Address& address) {
  for (auto& t : targets_)
    if (t->address == address) return t;
  auto t = std::make_shared<Target>();
  t->id = next_id_++;
  t->address = address;
  t->address_text = address.text();
  targets_.push_back(t);
  return t;
}

std::shared_ptr<RouteTable> build_route_table(const Config& config, TargetRegistry& registry,
                                              const ManagedTargets& managed) {
  auto table = std::make_shared<RouteTable>();
  for (const auto& [name, sc] : config.services) {
    std::vector<std::shared_ptr<Target>> targets;
    const std::vector<Address>* addresses = &sc.targets;
    if (sc.managed()) {
      static const std::vector<Address> kNone;
      auto it = managed.find(name);
      addresses = it == managed.end() ? &kNone : &it->second;
    }
    for (const auto& a : *addresses) targets.push_back(registry.get(a));
    auto policy = sc.balance == BalancePolicy::least_conn ? Policy::least_conn : Policy::round_robin;
    auto service = std::shared_ptr<Service>(new Service{name, TargetSet(std::move(targets), policy), sc.timeouts,
                                                     to_request_limits(sc.limits), sc.access_log, sc.retries});
    auto listener = std::find_if(table->listeners.begin(), table->listeners.end(),
                                 [&](const ListenerRoutes& l) { return l.address == sc.listen; });
    if (listener == table->listeners.end()) {
      table->listeners.push_back({sc.listen, sc.listen.text(), {}});
      listener = table->listeners.end() - 1;
    }
    if (sc.hosts.empty()) listener->routes.push_back({"", sc.path, service.get()});
    for (const auto& h : sc.hosts) listener->routes.push_back({h, sc.path, service.get()});
    table->services.push_back(std::move(service));
  }
  for (auto& l : table->listeners)
    std::stable_sort(l.routes.begin(), l.routes.end(), [](const Route& a, const Route& b) {
      if (host_rank(a) != host_rank(b)) return host_rank(a) < host_rank(b);
      return a.path.size() > b.path.size();
    });
  return table;
}
}  // namespace baton::proxy
