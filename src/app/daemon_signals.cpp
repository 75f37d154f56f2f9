#include "app/daemon_signals.hpp"

#include <fstream>
#include <sstream>

#include "app/apply_api.hpp"
#include "app/config_applier.hpp"
#include "app/service_runtime.hpp"
#include "base/log.hpp"
#include "proxy/proxy_server.hpp"

namespace baton {
namespace {
struct Known {
  int signal;
  std::string_view name;
};
constexpr Known kTaken[] = {{SIGTERM, "SIGTERM"}, {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"}, {SIGHUP, "SIGHUP"},
                            {SIGUSR1, "SIGUSR1"}, {SIGUSR2, "SIGUSR2"}, {SIGALRM, "SIGALRM"}, {SIGVTALRM, "SIGVTALRM"},
                            {SIGPROF, "SIGPROF"}, {SIGIO, "SIGIO"},     {SIGPWR, "SIGPWR"},   {SIGXCPU, "SIGXCPU"}};
}  // namespace

SignalAction daemon_action(int signal, bool under_keeper) {
  switch (signal) {
    case SIGTERM:
    case SIGINT:
    case SIGQUIT:
      return SignalAction::stop;
    case SIGUSR2:  // from the keeper: `baton upgrade`; alone there is no next daemon to hand to
      return under_keeper ? SignalAction::hand_over : SignalAction::ignore;
    case SIGHUP:
      return SignalAction::reload;
    case SIGUSR1:
      return SignalAction::reopen_logs;
    default:
      return SignalAction::ignore;
  }
}

std::string_view signal_name(int signal) {
  for (const auto& known : kTaken)
    if (known.signal == signal) return known.name;
  return "signal";
}

sigset_t block_daemon_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (const auto& known : kTaken) sigaddset(&set, known.signal);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // Raised for the thread that wrote, which sigwait in the main thread would never see.
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGXFSZ, SIG_IGN);
  return set;
}

awaitable<void> reload_config_file(ConfigApplier& applier) {
  auto path = applier.config_path();
  if (path.empty()) {
    log::warn("event=reload_skipped signal=SIGHUP reason=\"the daemon runs no config file; 'baton apply FILE' gives it one\"");
    co_return;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) {
    log::error("event=reload_failed signal=SIGHUP file={} error=\"cannot read the file\" outcome=unchanged", path);
    co_return;
  }
  log::info("event=reload signal=SIGHUP file={}", path);
  auto applied = co_await applier.apply_file(path, text.str());
  if (!applied) {
    log::error("event=reload_failed signal=SIGHUP file={} error=\"{}\" outcome=unchanged", path, applied.error().message);
    co_return;
  }
  for (const auto& [service, why] : applied->failed)
    log::error("event=reload_start_failed service={} error=\"{}\"", service, why);
  log::info("event=reloaded file={} plan=\"{}\"", path, plan_text(applied->plan));
}

void reopen_log_files(ServiceRuntime& runtime, proxy::ProxyServer& server) {
  if (auto daemon_log = log::reopen_file(); !daemon_log)
    log::warn("event=log_reopen_failed error=\"{}\"", daemon_log.error());
  auto services = runtime.reopen_logs();
  if (auto access = server.reopen_access_log(); !access) log::warn("event=log_reopen_failed error=\"{}\"", access.error());
  log::info("event=logs_reopened signal=SIGUSR1 service_logs={}", services);
}
}  // namespace baton
