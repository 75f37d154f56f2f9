#pragma once
// What the daemon does with each signal that would otherwise end it (docs/architecture.md#signals):
// TERM, INT and QUIT drain and stop; USR2 hands over to a new daemon (under a keeper); HUP
// re-reads the config file, as `baton apply` of it; USR1 reopens the log files; the rest are
// logged and ignored.
#include <signal.h>

#include <string_view>

#include "net/asio.hpp"

namespace baton {
class ConfigApplier;
class ServiceRuntime;
namespace proxy {
class ProxyServer;
}

enum class SignalAction { stop, hand_over, reload, reopen_logs, ignore };

SignalAction daemon_action(int signal, bool under_keeper);
// "SIGHUP" for SIGHUP; "signal N" for one without a name here.
std::string_view signal_name(int signal);

// Blocks every signal daemon_action knows before any thread starts, so that every thread inherits
// the mask and the main thread alone takes them with sigwait; SIGPIPE and SIGXFSZ are ignored
// (a write then fails with EPIPE or EFBIG, and the writer handles it).
sigset_t block_daemon_signals();

// SIGHUP: the file the daemon runs (the last applied, or --config) read again and applied; a file
// that does not load or apply changes nothing and is logged. Control plane only.
awaitable<void> reload_config_file(ConfigApplier& applier);
// SIGUSR1: the daemon's log file, every service's log files and the access log opened again by name.
void reopen_log_files(ServiceRuntime& runtime, proxy::ProxyServer& server);
}  // namespace baton
