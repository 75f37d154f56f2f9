#include "app/daemon.hpp"

#include <csignal>
#include <fmt/format.h>

#include "base/log.hpp"
#include "config/loader.hpp"
#include "proxy/proxy_server.hpp"

namespace baton {
namespace {
// Blocked before any thread starts so every thread inherits the mask and the
// main thread alone receives them through sigwait.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return set;
}
}  // namespace

int run_daemon(const cli::DaemonCommand& command) {
  auto config = load_config_file(command.config_path);
  if (!config) {
    fmt::print(stderr, "{}\n", config.error());
    return cli::kUsage;
  }
  log::init(command.log_level.value_or(config->log_level));
  auto signals = block_stop_signals();
  auto server = proxy::ProxyServer::start(*config);
  if (!server) {
    fmt::print(stderr, "baton: {}\n", server.error());
    return cli::kFailed;
  }
  for (const auto& address : (*server)->bound_addresses()) log::info("event=listening address={}", address.text());
  int received = 0;
  sigwait(&signals, &received);
  log::info("event=shutdown signal={} timeout_ms={}", received, config->proxy.shutdown_timeout.count());
  auto left = (*server)->shutdown(config->proxy.shutdown_timeout);
  log::info("event=stopped connections_cut={}", left);
  return cli::kOk;
}
}  // namespace baton
