// baton-test-backend: the HTTP origin used by integration tests and benchmarks,
// and the demo app the deploy engine runs as managed instances.
//   baton-test-backend [--listen 127.0.0.1:0] [--unix /path.sock] [--name NAME] [--threads N]
//                      [--unhealthy] [--unhealthy-after MS] [--startup-delay MS]
//                      [--exit-after MS] [--exit-immediately]
//                      [--fail-percent N] [--latency MS] [--misbehave-after MS]   (a bad /hello)
// Without --listen and --unix it listens on 127.0.0.1:$PORT. Prints one line,
// `listening ADDRESS`, once it accepts connections. On SIGTERM/SIGINT it stops
// accepting, finishes the requests in flight (for 30 s at most) and exits 0.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "backend_options.hpp"
#include "connection.hpp"
#include "net/listen_socket.hpp"

namespace baton::test_backend {
namespace {
using Acceptor = asio::basic_socket_acceptor<asio::generic::stream_protocol>;
using namespace std::chrono_literals;
constexpr int kBacklog = 4096;
// A request that never ends (/hang, a WebSocket) must not keep a stopping backend alive forever.
constexpr auto kDrainLimit = 30s;
constexpr auto kDrainPoll = 10ms;

// One io_context thread with its own dups of the listening sockets: no locks on the request path.
// Declared in this order so the acceptors go first and the set outlives the
// connections that the context's destructor ends.
struct Worker {
  ConnectionSet connections;
  asio::io_context context{1};
  std::vector<std::unique_ptr<Acceptor>> acceptors;
};
using Workers = std::vector<std::unique_ptr<Worker>>;

asio::generic::stream_protocol protocol_of(const ListenSocket& socket) {
  if (socket.address.kind == Address::Kind::unix_path) return {AF_UNIX, 0};
  bool v6 = socket.address.host.find(':') != std::string::npos;
  return {v6 ? AF_INET6 : AF_INET, IPPROTO_TCP};
}

awaitable<void> serve_connection(Socket socket, BackendState& state, ConnectionSet& live) {
  Connection connection(std::move(socket), state, live);
  co_await connection.run();
}

awaitable<void> accept_loop(Acceptor& acceptor, BackendState& state, ConnectionSet& live) {
  while (true) {
    auto [ec, socket] = co_await acceptor.async_accept(use_nothrow);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // Out of descriptors: back off instead of spinning; the peer waits in the backlog.
      asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(20));
      co_await pause.async_wait(use_nothrow);
      continue;
    }
    asio::co_spawn(acceptor.get_executor(), serve_connection(std::move(socket), state, live), asio::detached);
  }
}

std::expected<std::vector<ListenSocket>, std::string> open_listeners(const BackendOptions& options) {
  std::vector<ListenSocket> listeners;
  for (const auto& address : {options.tcp, options.unix_path}) {
    if (!address) continue;
    auto socket = open_listen_socket(*address, kBacklog);
    if (!socket) return std::unexpected(socket.error());
    listeners.push_back(*socket);
  }
  return listeners;
}

Workers start_workers(int count, const std::vector<ListenSocket>& listeners, BackendState& state) {
  Workers workers;
  for (int i = 0; i < count; ++i) {
    auto& worker = *workers.emplace_back(std::make_unique<Worker>());
    for (const auto& listener : listeners) {
      auto& acceptor = *worker.acceptors.emplace_back(
          std::make_unique<Acceptor>(worker.context, protocol_of(listener), ::dup(listener.fd)));
      asio::co_spawn(worker.context, accept_loop(acceptor, state, worker.connections), asio::detached);
    }
  }
  return workers;
}

// Waits until every connection has ended (or the drain limit passed), then stops every thread.
awaitable<void> finish_drain(Workers& workers, BackendState& state) {
  auto deadline = std::chrono::steady_clock::now() + kDrainLimit;
  asio::steady_timer poll(workers.front()->context);
  while (state.stats.open.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    poll.expires_after(kDrainPoll);
    co_await poll.async_wait(use_nothrow);
  }
  for (auto& worker : workers) worker->context.stop();
}

void begin_drain(Workers& workers, BackendState& state) {
  state.draining = true;
  for (auto& worker : workers) {
    asio::post(worker->context, [&worker = *worker] {
      error_code ignored;
      for (auto& acceptor : worker.acceptors) acceptor->close(ignored);
      // Copied: a connection that stops may leave the set before we are done.
      std::vector<Connection*> live(worker.connections.begin(), worker.connections.end());
      for (auto* connection : live) connection->stop_if_idle();
    });
  }
  asio::co_spawn(workers.front()->context, finish_drain(workers, state), asio::detached);
}

// --exit-after: a release that crashes some time after it started.
void schedule_crash(asio::io_context& context, std::chrono::milliseconds after, asio::steady_timer& timer) {
  timer.expires_after(after);
  timer.async_wait([](error_code ec) {
    if (ec) return;
    std::fprintf(stderr, "baton-test-backend: exiting with code 1 as asked by --exit-after\n");
    std::_Exit(1);
  });
}

int run(const BackendOptions& options) {
  std::this_thread::sleep_for(options.startup_delay);
  auto listeners = open_listeners(options);
  if (!listeners) {
    std::fprintf(stderr, "baton-test-backend: %s\n", listeners.error().c_str());
    return 1;
  }
  BackendState state;
  state.name = options.name;
  state.unhealthy = options.unhealthy;
  state.unhealthy_after = options.unhealthy_after;
  state.fail_percent = options.fail_percent;
  state.latency = options.latency;
  state.misbehave_after = options.misbehave_after;
  auto workers = start_workers(options.threads, *listeners, state);
  for (const auto& listener : *listeners) ::close(listener.fd);
  auto& main_context = workers.front()->context;
  asio::signal_set signals(main_context, SIGINT, SIGTERM);
  signals.async_wait([&](error_code ec, int) {
    if (!ec) begin_drain(workers, state);
  });
  asio::steady_timer crash(main_context);
  if (options.exit_after) schedule_crash(main_context, *options.exit_after, crash);
  std::printf("listening %s\n", listeners->front().address.text().c_str());
  std::fflush(stdout);
  std::vector<std::jthread> threads;
  for (std::size_t i = 1; i < workers.size(); ++i) threads.emplace_back([&, i] { workers[i]->context.run(); });
  main_context.run();
  threads.clear();
  if (options.unix_path) ::unlink(options.unix_path->path.c_str());
  return 0;
}
}  // namespace
}  // namespace baton::test_backend

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  const char* port = std::getenv("PORT");
  auto options = baton::test_backend::parse_backend_options(
      argc, argv, port ? std::optional<std::string_view>(port) : std::nullopt);
  if (!options) {
    std::fprintf(stderr, "baton-test-backend: %s\n", options.error().c_str());
    return 2;
  }
  if (options->exit_immediately) {
    std::fprintf(stderr, "baton-test-backend: failing at startup as asked by --exit-immediately\n");
    return 1;
  }
  return baton::test_backend::run(*options);
}
