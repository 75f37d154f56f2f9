#include "proxy/proxy_server.hpp"

#include "net/keeper_link.hpp"

#include <unistd.h>

#include <algorithm>
#include <thread>

#include "base/check.hpp"
#include "base/log.hpp"
#include "net/listen_socket.hpp"

namespace baton::proxy {
namespace {
constexpr int kListenBacklog = 4096;
constexpr std::chrono::milliseconds kShutdownPoll{20};
}  // namespace

std::expected<std::unique_ptr<ProxyServer>, std::string> ProxyServer::start(const Config& config,
                                                                          const std::filesystem::path& access_log) {
  std::unique_ptr<ProxyServer> server(new ProxyServer());
  auto& shared = server->shared_;
  shared.settings = config.proxy;
  shared.connections.set_limit(config.proxy.max_connections ? config.proxy.max_connections : default_connection_cap());
  const auto& l = config.proxy.limits;
  shared.head_limits = {l.max_request_line, l.max_header_bytes, l.max_header_count, l.max_field_bytes, l.max_body};
  auto opened = AccessLog::open(access_log, config.logs);
  if (!opened) return std::unexpected(opened.error());
  server->access_log_ = std::move(*opened);
  shared.access_log = server->access_log_.get();
  auto routes = build_route_table(config, server->registry_, {});
  std::vector<Address> addresses;
  for (const auto& listener : routes->listeners) addresses.push_back(listener.address);
  if (auto opened = server->open_listeners(addresses); !opened) return std::unexpected(opened.error());
  unsigned threads = config.proxy.threads ? config.proxy.threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < threads; ++i) server->workers_.push_back(std::make_unique<Worker>(shared));
  server->publish(std::move(routes));
  for (auto& w : server->workers_) w->start();
  return server;
}

std::expected<void, std::string> ProxyServer::open_listeners(const std::vector<Address>& addresses) {
  std::vector<Listener> opened;
  for (const auto& address : addresses) {
    if (listener_id(address)) continue;
    if (std::ranges::any_of(opened, [&](const Listener& l) { return l.configured == address; })) continue;
    auto socket = acquire_listen_socket(address, kListenBacklog);
    if (!socket) {
      for (auto& l : opened) ::close(l.fd);
      return std::unexpected(socket.error());
    }
    opened.push_back({.configured = address, .bound = socket->address, .fd = socket->fd, .accepting = false});
  }
  for (auto& l : opened) listeners_.push_back(std::move(l));
  return {};
}

std::optional<std::size_t> ProxyServer::listener_id(const Address& configured) const {
  for (std::size_t id = 0; id < listeners_.size(); ++id)
    if (listeners_[id].fd >= 0 && listeners_[id].configured == configured) return id;
  return std::nullopt;
}

std::optional<Address> ProxyServer::bound_address(const Address& configured) const {
  auto id = listener_id(configured);
  if (!id) return std::nullopt;
  return listeners_[*id].bound;
}

void ProxyServer::publish(std::shared_ptr<RouteTable> table) {
  auto used = place_listeners(*table);
  {
    std::lock_guard lock(shared_.route_mutex);
    shared_.routes = std::move(table);
    shared_.route_version.fetch_add(1, std::memory_order_release);
  }
  for (auto& w : workers_) w->notify_published();
  // Only now: a connection accepted on a new listener must find the table that routes it.
  sync_listeners(used);
}

std::vector<bool> ProxyServer::place_listeners(RouteTable& table) {
  std::vector<ListenerRoutes> by_id(listeners_.size());
  std::vector<bool> used(listeners_.size(), false);
  for (auto& routes : table.listeners) {
    auto id = listener_id(routes.address);
    // After shutdown() no listener is open; the instances stopping after it still publish.
    if (!id && stopped_) continue;
    BATON_CHECK(id.has_value());
    routes.host_text = listeners_[*id].bound.text();
    by_id[*id] = std::move(routes);
    used[*id] = true;
  }
  table.listeners = std::move(by_id);
  return used;
}

void ProxyServer::sync_listeners(const std::vector<bool>& used) {
  for (std::size_t id = 0; id < listeners_.size(); ++id) {
    auto& listener = listeners_[id];
    if (listener.fd < 0) continue;
    if (!used[id]) {
      close_listener(listener, id);
    } else if (!listener.accepting) {
      for (auto& w : workers_) w->add_listener(id, listener.fd);
      listener.accepting = true;
      log::info("event=listening address={}", listener.bound.text());
    }
  }
}

void ProxyServer::close_listener(Listener& listener, std::size_t id) {
  // A listener opened for a table that was never published is just closed.
  if (listener.accepting) {
    for (auto& w : workers_) w->remove_listener(id);
    log::info("event=listener_closed address={}", listener.bound.text());
  }
  ::close(listener.fd);
  listener.fd = -1;
  listener.accepting = false;
  release_listen_socket(listener.configured);
}

ProxyServer::~ProxyServer() {
  for (auto& w : workers_) w->stop();
  for (auto& l : listeners_)
    if (l.fd >= 0) ::close(l.fd);
}

std::size_t ProxyServer::active_sessions() const {
  std::size_t n = 0;
  for (const auto& w : workers_) n += w->active_sessions();
  return n;
}

void ProxyServer::stop_accepting() {
  // Closing our copies first: new connections are refused (or, under a keeper, wait in its
  // accept queue for the next daemon), not queued unanswered here.
  stopped_ = true;
  for (auto& l : listeners_) {
    if (l.fd >= 0) ::close(l.fd);
    l.fd = -1;
  }
  for (auto& w : workers_) w->begin_shutdown(false);
}

std::size_t ProxyServer::shutdown(std::chrono::milliseconds timeout, std::chrono::milliseconds idle_grace) {
  stop_accepting();
  if (idle_grace.count() > 0) {
    auto grace_end = std::chrono::steady_clock::now() + idle_grace;
    while (active_sessions() > 0 && std::chrono::steady_clock::now() < grace_end)
      std::this_thread::sleep_for(kShutdownPoll);
  }
  for (auto& w : workers_) w->begin_shutdown();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (active_sessions() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(kShutdownPoll);
  auto left = active_sessions();
  for (auto& w : workers_) w->stop();
  return left;
}
metrics::TrafficByLabels ProxyServer::traffic() const {
  metrics::TrafficByLabels out;
  for (const auto& w : workers_) w->traffic().read(out);
  return out;
}

ProxyServer::ConnectionCounts ProxyServer::connections() const {
  ConnectionCounts counts{.open = shared_.connections.open(), .accepted = 0, .shed = shared_.connections.shed()};
  for (const auto& w : workers_) counts.accepted += w->connections_accepted();
  return counts;
}
}  // namespace baton::proxy
