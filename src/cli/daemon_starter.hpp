#pragma once
// A CLI command that finds no daemon starts one in the background, as pm2 does: `baton daemon
// --home HOME` in its own session, its output in HOME/logs/daemon.log, with the config it last
// applied and the services registered in HOME's state. `baton shutdown` never does, and
// BATON_NO_AUTOSTART=1 turns it off (scripts that want exit code 3 instead).
#include <expected>
#include <string>

namespace baton::cli {
// Whether commands of this process may start a daemon (the command line decides, once).
void allow_daemon_start(bool allowed);
bool daemon_start_allowed();

// Starts the daemon and waits until its control socket answers (or it exits, or 5 s pass).
std::expected<void, std::string> start_background_daemon(const std::string& home);
}  // namespace baton::cli
