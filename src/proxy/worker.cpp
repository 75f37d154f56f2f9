#include "proxy/worker.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.hpp"
#include "proxy/session.hpp"

namespace baton::proxy {
namespace {
constexpr std::chrono::milliseconds kTick{100};  // deadline resolution
constexpr int kSweepEveryTicks = 10;
constexpr std::chrono::milliseconds kAcceptBackoff{100};  // after EMFILE and friends
constexpr std::chrono::seconds kShedReportEvery{1};

asio::generic::stream_protocol protocol_of(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length);
  int family = storage.ss_family;
  return asio::generic::stream_protocol(family, family == AF_UNIX ? 0 : IPPROTO_TCP);
}
}  // namespace

Worker::Worker(ProxyShared& shared)
    : shared_(shared), pool_(shared.settings.upstream_pool_size, shared.settings.timeouts.upstream_idle) {}

Worker::~Worker() { stop(); }

void Worker::start() {
  asio::co_spawn(context_, tick_loop(), log::LogIfThrown{"proxy_tick"});
  thread_ = std::thread([this] { context_.run(); });
}

void Worker::add_listener(std::size_t id, int fd) {
  // Duplicated here, in the caller's thread: the caller may close its fd right after.
  int own = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (own < 0) {
    log::error("event=listener_dup_failed listener={} error=\"{}\"", id, std::strerror(errno));
    return;
  }
  asio::post(context_, [this, id, own] {
    auto acceptor = std::make_shared<Acceptor>(context_, protocol_of(own), own);
    acceptors_[id] = acceptor;
    if (shutting_down_) {
      error_code ignored;
      acceptor->close(ignored);
      return;
    }
    asio::co_spawn(context_, accept_loop(id, std::move(acceptor)), log::LogIfThrown{"proxy_accept"});
  });
}

void Worker::remove_listener(std::size_t id) {
  asio::post(context_, [this, id] {
    auto found = acceptors_.find(id);
    if (found == acceptors_.end()) return;
    error_code ignored;
    found->second->close(ignored);
    acceptors_.erase(found);
    sessions_.for_each([id](Session& s) {
      if (s.listener() == id) s.begin_shutdown();
    });
  });
}

void Worker::begin_shutdown(bool close_idle) {
  asio::post(context_, [this, close_idle] {
    shutting_down_ = true;
    closing_idle_ = close_idle;
    for (auto& [id, acceptor] : acceptors_) {
      error_code ignored;
      acceptor->close(ignored);
    }
    sessions_.for_each([close_idle](Session& s) { s.begin_shutdown(close_idle); });
  });
}

void Worker::stop() {
  if (!thread_.joinable()) return;
  context_.stop();
  thread_.join();
  if (shared_.access_log) access_lines_.flush(*shared_.access_log);  // the thread is gone: its last lines
}

const std::shared_ptr<const RouteTable>& Worker::routes() {
  auto version = shared_.route_version.load(std::memory_order_acquire);
  if (version != routes_version_) {
    std::lock_guard lock(shared_.route_mutex);
    routes_ = shared_.routes;
    routes_version_ = version;
    const auto* table = routes_.get();
    pool_.retain([table](std::uint64_t id) { return table->has_target(id); });
    release_dirs_.clear();
    traffic_.retire_absent(*table);
  }
  return routes_;
}

void Worker::notify_published() {
  asio::post(context_, [this] {
    routes();
    sessions_.for_each([](Session& s) { s.wake(); });
  });
}

void Worker::give_back(std::unique_ptr<UpstreamConnection> conn, const RouteTable* table,
                       std::chrono::steady_clock::time_point now) {
  if (table != routes_.get() && !routes_->has_target(conn->target_id)) return;  // closes it
  pool_.give_back(std::move(conn), now);
}

void Worker::add(Session* s) {
  // Accepted while shutting down: its first request is served, with Connection: close.
  if (shutting_down_) s->begin_shutdown(closing_idle_);
  sessions_.push(s);
  session_count_.fetch_add(1, std::memory_order_relaxed);
}

void Worker::remove(Session* s) {
  sessions_.erase(s);
  session_count_.fetch_sub(1, std::memory_order_relaxed);
}

awaitable<void> Worker::accept_loop(std::size_t listener_index, std::shared_ptr<Acceptor> acceptor) {
  asio::steady_timer backoff(context_);
  for (;;) {
    auto [ec, socket] = co_await acceptor->async_accept(use_nothrow);
    // A connection taken off the queue as the listener closes still gets its answer (see add()).
    if (ec == asio::error::operation_aborted || (shutting_down_ && (ec || !socket.is_open()))) co_return;
    if (ec) {
      log::warn("event=accept_failed error=\"{}\"", ec.message());
      backoff.expires_after(kAcceptBackoff);
      co_await backoff.async_wait(use_nothrow);
      continue;
    }
    if (!shared_.connections.try_take()) {
      shed(socket);
      continue;
    }
    accepted_.add();
    set_tcp_options(socket);  // a no-op error on unix sockets
    bool last = shutting_down_;
    asio::co_spawn(context_, run_session(*this, std::move(socket), listener_index),
                   [](std::exception_ptr e) {
                     if (!e) return;
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& ex) {
                       log::error("event=session_failed error=\"{}\"", ex.what());
                     }
                   });
    if (last) co_return;
  }
}

// Closed at once: the client sees its connection end instead of waiting in a queue. Said once a
// second at most, with how many were shed in all.
void Worker::shed(Socket& socket) {
  error_code ignored;
  socket.close(ignored);
  auto now = Clock::now();
  if (now - last_shed_report_ < kShedReportEvery) return;
  last_shed_report_ = now;
  log::warn("event=connections_shed open={} max_connections={} shed_total={}", shared_.connections.open(),
            shared_.connections.limit(), shared_.connections.shed());
}

awaitable<void> Worker::tick_loop() {
  asio::steady_timer timer(context_);
  for (int tick = 0;; ++tick) {
    timer.expires_after(kTick);
    co_await timer.async_wait(use_nothrow);
    auto now = Clock::now();
    sessions_.for_each([now](Session& s) { s.check_deadline(now); });
    if (shared_.access_log) access_lines_.flush(*shared_.access_log);
    if (tick % kSweepEveryTicks == 0) pool_.sweep(now);
    if (tick % kSweepEveryTicks == 0 && traffic_.retire_pending()) traffic_.retire_absent(*routes_);
    if (shutting_down_ && sessions_.size() == 0) {
      pool_.clear();
      co_return;
    }
  }
}
}  // namespace baton::proxy
