// baton-test-backend: the HTTP origin used by integration tests and benchmarks.
//   baton-test-backend --listen 127.0.0.1:0 [--name NAME] [--threads N] [--unix /path.sock]
// Prints one line, `listening ADDRESS`, once it accepts connections; exits 0 on SIGTERM/SIGINT.
#include <charconv>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "connection.hpp"
#include "net/address.hpp"
#include "net/listen_socket.hpp"

namespace baton::test_backend {
namespace {
using Acceptor = asio::basic_socket_acceptor<asio::generic::stream_protocol>;
constexpr int kBacklog = 4096;
constexpr int kMaxThreads = 64;

struct Options {
  std::optional<Address> tcp;
  std::optional<Address> unix_path;
  std::string name = "backend";
  int threads = 1;
};

std::expected<Options, std::string> parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (i + 1 >= argc) return std::unexpected(std::string(flag) + " needs a value");
    std::string_view value = argv[++i];
    if (flag == "--listen") {
      auto address = parse_address(value);
      if (!address || address->kind != Address::Kind::tcp)
        return std::unexpected("--listen needs host:port, e.g. 127.0.0.1:0");
      options.tcp = *address;
    } else if (flag == "--unix") {
      auto address = parse_address("unix:" + std::string(value));
      if (!address) return std::unexpected(address.error());
      options.unix_path = *address;
    } else if (flag == "--name") {
      options.name = value;
    } else if (flag == "--threads") {
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), options.threads);
      if (ec != std::errc{} || end != value.data() + value.size() || options.threads < 1 ||
          options.threads > kMaxThreads)
        return std::unexpected("--threads needs a number from 1 to 64");
    } else {
      return std::unexpected("unknown option " + std::string(flag));
    }
  }
  if (!options.tcp && !options.unix_path) return std::unexpected("give --listen and/or --unix");
  return options;
}

asio::generic::stream_protocol protocol_of(const ListenSocket& socket) {
  if (socket.address.kind == Address::Kind::unix_path) return {AF_UNIX, 0};
  bool v6 = socket.address.host.find(':') != std::string::npos;
  return {v6 ? AF_INET6 : AF_INET, IPPROTO_TCP};
}

awaitable<void> serve_connection(Socket socket, BackendState& state) {
  Connection connection(std::move(socket), state);
  co_await connection.run();
}

awaitable<void> accept_loop(Acceptor acceptor, BackendState& state) {
  while (true) {
    auto [ec, socket] = co_await acceptor.async_accept(use_nothrow);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Out of descriptors: back off instead of spinning; the peer waits in the backlog.
      asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(20));
      co_await pause.async_wait(use_nothrow);
      continue;
    }
    asio::co_spawn(acceptor.get_executor(), serve_connection(std::move(socket), state), asio::detached);
  }
}

std::expected<std::vector<ListenSocket>, std::string> open_listeners(const Options& options) {
  std::vector<ListenSocket> listeners;
  for (const auto& address : {options.tcp, options.unix_path}) {
    if (!address) continue;
    auto socket = open_listen_socket(*address, kBacklog);
    if (!socket) return std::unexpected(socket.error());
    listeners.push_back(*socket);
  }
  return listeners;
}

int run(const Options& options) {
  auto listeners = open_listeners(options);
  if (!listeners) {
    std::fprintf(stderr, "baton-test-backend: %s\n", listeners.error().c_str());
    return 1;
  }
  BackendState state;
  state.name = options.name;
  // One io_context per thread, each accepting on its own dup of every listening
  // socket: no locks on the request path.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (int i = 0; i < options.threads; ++i) {
    auto& context = *contexts.emplace_back(std::make_unique<asio::io_context>(1));
    for (const auto& listener : *listeners)
      asio::co_spawn(context, accept_loop(Acceptor(context, protocol_of(listener), ::dup(listener.fd)), state),
                     asio::detached);
  }
  for (const auto& listener : *listeners) ::close(listener.fd);
  asio::signal_set signals(*contexts.front(), SIGINT, SIGTERM);
  signals.async_wait([&](error_code, int) {
    for (auto& context : contexts) context->stop();
  });
  std::printf("listening %s\n", listeners->front().address.text().c_str());
  std::fflush(stdout);
  std::vector<std::jthread> threads;
  for (int i = 1; i < options.threads; ++i) threads.emplace_back([&, i] { contexts[i]->run(); });
  contexts.front()->run();
  threads.clear();
  if (options.unix_path) ::unlink(options.unix_path->path.c_str());
  return 0;
}
}  // namespace
}  // namespace baton::test_backend

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  auto options = baton::test_backend::parse_options(argc, argv);
  if (!options) {
    std::fprintf(stderr, "baton-test-backend: %s\n", options.error().c_str());
    return 2;
  }
  return baton::test_backend::run(*options);
}
