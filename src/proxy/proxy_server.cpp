#include "proxy/proxy_server.hpp"

#include <unistd.h>

#include <thread>

#include "base/check.hpp"
#include "net/listen_socket.hpp"

namespace baton::proxy {
namespace {
constexpr int kListenBacklog = 4096;
constexpr std::chrono::milliseconds kShutdownPoll{20};
}  // namespace

std::expected<std::unique_ptr<ProxyServer>, std::string> ProxyServer::start(const Config& config) {
  std::unique_ptr<ProxyServer> server(new ProxyServer());
  auto& shared = server->shared_;
  shared.settings = config.proxy;
  shared.connections.set_limit(config.proxy.max_connections ? config.proxy.max_connections : default_connection_cap());
  const auto& l = config.proxy.limits;
  shared.head_limits = {l.max_request_line, l.max_header_bytes, l.max_header_count, l.max_body};
  server->access_log_ = std::make_unique<AccessLog>("-");
  shared.access_log = server->access_log_.get();
  auto routes = build_route_table(config, server->registry_, {});
  for (auto& listener : routes->listeners) {
    auto socket = open_listen_socket(listener.address, kListenBacklog);
    if (!socket) return std::unexpected(socket.error());
    server->listen_fds_.push_back(socket->fd);
    server->bound_.push_back(socket->address);
    listener.host_text = socket->address.text();  // the real port when 0 was asked for
  }
  shared.routes = std::move(routes);
  shared.route_version.store(1);
  unsigned threads = config.proxy.threads ? config.proxy.threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < threads; ++i)
    server->workers_.push_back(std::make_unique<Worker>(shared, server->listen_fds_));
  for (auto& w : server->workers_) w->start();
  return server;
}

void ProxyServer::publish(std::shared_ptr<RouteTable> table) {
  BATON_CHECK(table->listeners.size() == bound_.size());
  for (std::size_t i = 0; i < bound_.size(); ++i) {
    BATON_CHECK(table->listeners[i].address.port == 0 || table->listeners[i].address == bound_[i]);
    table->listeners[i].host_text = bound_[i].text();
  }
  {
    std::lock_guard lock(shared_.route_mutex);
    shared_.routes = std::move(table);
    shared_.route_version.fetch_add(1, std::memory_order_release);
  }
  for (auto& w : workers_) w->notify_published();
}

ProxyServer::~ProxyServer() {
  for (auto& w : workers_) w->stop();
  for (int fd : listen_fds_) ::close(fd);
}

std::size_t ProxyServer::active_sessions() const {
  std::size_t n = 0;
  for (const auto& w : workers_) n += w->active_sessions();
  return n;
}

std::size_t ProxyServer::shutdown(std::chrono::milliseconds timeout) {
  // Closing our copies first: new connections are refused, not queued unanswered.
  for (int fd : listen_fds_) ::close(fd);
  listen_fds_.clear();
  for (auto& w : workers_) w->begin_shutdown();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (active_sessions() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(kShutdownPoll);
  auto left = active_sessions();
  for (auto& w : workers_) w->stop();
  return left;
}
}  // namespace baton::proxy
