#pragma once
// One proxy thread: its own io_context, acceptors (on dups of the shared
// listening fds), upstream pool and session list. Nothing here is shared
// between threads except the route table snapshot and target counters.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "http/request_parser.hpp"
#include "net/asio.hpp"
#include "proxy/access_log.hpp"
#include "proxy/request_id.hpp"
#include "proxy/connection_cap.hpp"
#include "proxy/intrusive_list.hpp"
#include "proxy/route_table.hpp"
#include "proxy/socket_util.hpp"
#include "proxy/static_lookup.hpp"
#include "proxy/upstream_pool.hpp"
#include "proxy/worker_traffic.hpp"
#include "metrics/local_counter.hpp"

namespace baton::proxy {
class Session;

// State every worker reads: the published route table and the global settings.
struct ProxyShared {
  ProxyConfig settings;
  http::RequestLimits head_limits;  // the head is parsed before a service is known
  AccessLog* access_log = nullptr;
  std::atomic<std::uint64_t> route_version{0};
  std::mutex route_mutex;
  std::shared_ptr<const RouteTable> routes;
  ConnectionCap connections;
};

class Worker {
 public:
  explicit Worker(ProxyShared& shared);
  ~Worker();

  void start();
  // Thread-safe: accept on a dup of `fd` as listener `id` (the route table's index).
  void add_listener(std::size_t id, int fd);
  // Thread-safe: stop accepting on listener `id`; its open connections finish their
  // requests in flight and close, as at shutdown.
  void remove_listener(std::size_t id);
  // Thread-safe: stop accepting, close idle connections, finish busy ones.
  void begin_shutdown(bool close_idle = true);
  // Thread-safe: stop the event loop and join the thread.
  void stop();
  std::size_t active_sessions() const { return session_count_.load(std::memory_order_relaxed); }

  asio::io_context& context() { return context_; }
  UpstreamPool& pool() { return pool_; }
  ReleaseDirCache& release_dirs() { return release_dirs_; }
  WorkerTraffic& traffic() { return traffic_; }
  const WorkerTraffic& traffic() const { return traffic_; }
  std::uint64_t connections_accepted() const { return accepted_.read(); }
  const ProxyShared& shared() const { return shared_; }
  ConnectionCap& connections() { return shared_.connections; }
  // The newest published table; refreshed at most once per request, lock-free when unchanged.
  // Picking up a new table closes pooled connections to targets it no longer has.
  const std::shared_ptr<const RouteTable>& routes();
  // Thread-safe: a table was published. Picks it up now and wakes held requests.
  void notify_published();
  // Pools the connection unless the newest table dropped its target; `table`
  // is the one the exchange used (the common case skips the lookup).
  void give_back(std::unique_ptr<UpstreamConnection> conn, const RouteTable* table,
                 std::chrono::steady_clock::time_point now);
  void add(Session* s);
  void remove(Session* s);
  bool shutting_down() const { return shutting_down_; }
  // A request's access log line, written with this thread's others at the next tick.
  void log_access(const AccessRecord& record) {
    if (shared_.access_log) access_lines_.add(*shared_.access_log, record);
  }
  RequestIdSource& request_ids() { return request_ids_; }

 private:
  using Acceptor = asio::basic_socket_acceptor<asio::generic::stream_protocol>;
  awaitable<void> accept_loop(std::size_t listener_index, std::shared_ptr<Acceptor> acceptor);
  awaitable<void> tick_loop();
  void shed(Socket& socket);

  ProxyShared& shared_;
  // Declared before the context: destroying the context destroys suspended
  // sessions, which unregister from these.
  IntrusiveList<Session> sessions_;
  WorkerTraffic traffic_;  // sessions hold its blocks open
  std::atomic<std::size_t> session_count_{0};
  // Each context is run by one thread and touched only from it (other threads
  // post), so the reactor's per-socket locks can go.
  asio::io_context context_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  std::map<std::size_t, std::shared_ptr<Acceptor>> acceptors_;  // by listener id
  UpstreamPool pool_;
  ReleaseDirCache release_dirs_;
  metrics::LocalCounter accepted_;
  std::shared_ptr<const RouteTable> routes_;
  std::uint64_t routes_version_ = ~0ull;
  bool shutting_down_ = false;
  bool closing_idle_ = true;  // with shutting_down_: sessions waiting for a request end now
  std::chrono::steady_clock::time_point last_shed_report_{};
  AccessLogBuffer access_lines_;
  RequestIdSource request_ids_;
  std::thread thread_;
};
}  // namespace baton::proxy
