// The keeper: a small process that owns every listening socket and runs the
// daemon under them. No HTTP parser, no deploy code: whatever can throw lives in
// the daemon. When the daemon dies, the sockets stay open, clients wait in the
// kernel's accept queue, and a new daemon (which adopts the running apps) takes
// them over. Its whole protocol is in net/keeper_link.hpp.
#include "keeper/keeper.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <set>

#include "keeper/keeper_reexec.hpp"
#include "net/keeper_link.hpp"
#include "net/socket_activation.hpp"
#include "net/whole_number.hpp"

namespace baton {
namespace {
std::string exit_text(int status) {
  return WIFEXITED(status) ? fmt::format("exited with {}", WEXITSTATUS(status))
                           : fmt::format("killed by signal {}", WTERMSIG(status));
}

struct ListenRequest {
  int backlog = 0;
  unsigned mode = 0;  // octal on the wire, like chmod's
  std::string address;
};

std::optional<ListenRequest> split_listen_request(std::string_view request) {
  constexpr std::string_view kVerb = "listen ";
  if (!request.starts_with(kVerb)) return std::nullopt;
  request.remove_prefix(kVerb.size());
  auto first = request.find(' ');
  auto second = first == std::string_view::npos ? first : request.find(' ', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  auto backlog = parse_whole_number<int>(request.substr(0, first), 0);
  auto mode = parse_whole_number<unsigned>(request.substr(first + 1, second - first - 1), 0, 07777, 8);
  if (!backlog || !mode || second + 1 >= request.size()) return std::nullopt;
  return ListenRequest{*backlog, *mode, std::string(request.substr(second + 1))};
}

using Clock = std::chrono::steady_clock;
// A daemon that dies within this of its start is crash-looping: restarts back off.
constexpr std::chrono::seconds kStableRun{2};
constexpr std::chrono::milliseconds kMaxRestartDelay{5000};
// A new binary that has not served by then is abandoned for the one before.
constexpr std::chrono::seconds kUpgradeReadyTimeout{60};

struct Held {
  int fd = -1;
  Address bound;
  bool passed = false;  // systemd's: a unix socket's file is left to it
};

class Keeper {
 public:
  Keeper(const KeeperOptions& options, int lock) : options_(options), binary_(options.daemon_binary), lock_(lock) {}
  void resume(const KeeperState& state);
  int run(bool resumed);

 private:
  bool start_daemon();
  void answer(int link);
  std::string listen(std::string_view request, int& fd);
  std::string close_listener(std::string_view address_text);
  void on_daemon_exit(int status);
  void on_daemon_released();
  void reap_draining(pid_t pid, int status);
  void reap_children();
  std::vector<std::string> daemon_argv() const;

  void forward(int signal, std::string_view name);
  bool keeper_upgrade_asked() const;
  void begin_upgrade();
  void finish_upgrade(const std::string& result);
  void upgrade_self();
  KeeperState snapshot() const;
  void close_unclaimed_passed();

  KeeperOptions options_;
  std::string binary_;                      // what the next daemon runs
  std::string previous_binary_;             // while an upgrade is under way: where to go back
  Clock::time_point upgrade_deadline_ = Clock::time_point::max();
  std::map<std::string, Held> held_;  // by the address as the daemon asked for it
  pid_t daemon_ = -1;
  int link_ = -1;  // our end of the socket pair to the running daemon
  std::set<pid_t> draining_;  // daemons that released everything but their open connections
  Clock::time_point started_;
  bool served_ = false;  // the running daemon said "ready"
  std::chrono::milliseconds delay_{0};
  bool stopping_ = false;
  bool passed_closed_ = false;  // a daemon said ready once: passed sockets nothing claimed are closed
  int lock_ = -1;
  int exit_code_ = 0;
};

std::vector<std::string> Keeper::daemon_argv() const {
  std::vector<std::string> argv{"baton", "daemon", "--home", options_.home};
  if (!options_.config_path.empty()) argv.insert(argv.end(), {"--config", options_.config_path});
  if (!options_.log_level.empty()) argv.insert(argv.end(), {"--log-level", options_.log_level});
  return argv;
}

bool Keeper::start_daemon() {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    keeper_say(fmt::format("event=daemon_start_failed error=\"socketpair: {}\"", std::strerror(errno)));
    return false;
  }
  auto argv_text = daemon_argv();
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  auto fd_text = std::to_string(pair[1]);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::fcntl(pair[1], F_SETFD, 0);  // the daemon's end crosses exec
    ::setenv(kKeeperFdVariable, fd_text.c_str(), 1);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(binary_.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(pair[1]);
  if (pid < 0) {
    ::close(pair[0]);
    keeper_say(fmt::format("event=daemon_start_failed error=\"fork: {}\"", std::strerror(errno)));
    return false;
  }
  daemon_ = pid;
  link_ = pair[0];
  started_ = Clock::now();
  served_ = false;
  keeper_say(fmt::format("event=daemon_started pid={}", pid));
  return true;
}

std::string Keeper::listen(std::string_view request, int& fd) {
  // "listen BACKLOG MODE ADDRESS": the address is the rest (a unix path may hold spaces).
  auto words = split_listen_request(request);
  if (!words) return "error malformed request: " + std::string(request);
  auto [backlog, mode, address_text] = *words;
  auto it = held_.find(address_text);
  if (it == held_.end()) {
    auto address = parse_address(address_text);
    if (!address) return "error " + address.error();
    auto passed = claim_passed_socket(*address);
    auto socket = passed ? std::expected<ListenSocket, std::string>(*passed)
                         : open_listen_socket_with_mode(*address, backlog, mode);
    if (!socket) return "error " + socket.error();
    it = held_.emplace(address_text, Held{socket->fd, socket->address, socket->borrowed}).first;
    keeper_say(fmt::format("event=listener_held address={} from={}", socket->address.text(), passed ? "passed" : "bound"));
  }
  fd = it->second.fd;
  return "ok " + it->second.bound.text();
}

std::string Keeper::close_listener(std::string_view address_text) {
  auto it = held_.find(std::string(address_text));
  if (it == held_.end()) return "ok";
  ::close(it->second.fd);
  if (it->second.bound.kind == Address::Kind::unix_path && !it->second.passed) ::unlink(it->second.bound.path.c_str());
  keeper_say(fmt::format("event=listener_released address={}", it->second.bound.text()));
  held_.erase(it);
  return "ok";
}

void Keeper::answer(int link) {
  std::string request;
  int ignored_fd = -1;
  if (!receive_message(link, request, ignored_fd)) {
    ::close(link_);  // the daemon is gone; its exit comes as SIGCHLD
    link_ = -1;
    return;
  }
  if (ignored_fd >= 0) ::close(ignored_fd);
  int fd = -1;
  std::string reply;
  bool released = false;
  if (request.starts_with("listen ")) reply = listen(request, fd);
  else if (request.starts_with("close ")) reply = close_listener(std::string_view(request).substr(6));
  else if (request == "stop") {
    reply = "ok";
    stopping_ = true;  // `baton shutdown`: the daemon's exit ends the keeper too
    keeper_say("event=stopping reason=shutdown");
  } else if (request == "released") {
    reply = "ok";
    released = true;
  } else if (request == "ready") {
    reply = "ok";
    served_ = true;
    if (!passed_closed_) close_unclaimed_passed();
    if (!previous_binary_.empty()) finish_upgrade(fmt::format("ok {}", daemon_));
  }
  else reply = "error unknown request";
  send_message(link, reply, fd);
  if (released) on_daemon_released();
}

// The daemon stopped accepting and let go of the home and the apps; it only drains its open
// connections now (WebSockets may take until its shutdown_timeout). The next one starts at once
// on the same sockets, and this one is reaped when it is done.
void Keeper::on_daemon_released() {
  keeper_say(fmt::format("event=daemon_released pid={}", daemon_));
  draining_.insert(daemon_);
  daemon_ = -1;
  ::close(link_);
  link_ = -1;
  delay_ = std::chrono::milliseconds(0);
}

void Keeper::reap_draining(pid_t pid, int status) {
  draining_.erase(pid);
  keeper_say(fmt::format("event=daemon_drained pid={} status=\"{}\"", pid, exit_text(status)));
}

// Every child that ended: the running daemon, a draining one, or none of ours to speak of.
void Keeper::reap_children() {
  int status = 0;
  for (pid_t pid; (pid = ::waitpid(-1, &status, WNOHANG)) > 0;) {
    if (pid == daemon_) on_daemon_exit(status);
    else if (draining_.contains(pid)) reap_draining(pid, status);
  }
}

void Keeper::on_daemon_exit(int status) {
  std::string how = exit_text(status);
  keeper_say(fmt::format("event=daemon_exited pid={} status=\"{}\"", daemon_, how));
  daemon_ = -1;
  if (link_ >= 0) ::close(link_);
  link_ = -1;
  bool handed_over = WIFEXITED(status) && WEXITSTATUS(status) == kHandedOverExit;
  if (!stopping_ && handed_over) {
    delay_ = std::chrono::milliseconds(0);  // the new binary starts at once
    return;
  }
  if (!previous_binary_.empty()) {
    // The new binary died before it served: the one before runs again.
    finish_upgrade("failed: the new daemon " + how + " before it was ready");
    binary_ = previous_binary_;
    previous_binary_.clear();
    if (!stopping_) {
      delay_ = std::chrono::milliseconds(0);
      return;
    }
  }
  if (stopping_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    return;
  }
  // Not asked to stop, so a clean exit is a restart (SIGTERM to the daemon alone) and any other
  // a crash. A daemon that ran a while comes back at once. One that keeps dying as it starts
  // (a broken config, a full disk) backs off.
  // One that served was killed or hit a bug later: not a crash loop, however soon that came.
  bool ran_a_while = served_ || Clock::now() - started_ >= kStableRun;
  delay_ = ran_a_while ? std::chrono::milliseconds(0)
                       : std::min(kMaxRestartDelay, std::max(delay_ * 2, std::chrono::milliseconds(100)));
  keeper_say(fmt::format("event=daemon_restarting in_ms={}", delay_.count()));
}

// SIGHUP (reload the config) and SIGUSR1 (reopen the log files) are the daemon's to carry out:
// `systemctl reload` and logrotate know the keeper's pid, the unit's main process.
void Keeper::forward(int signal, std::string_view name) {
  if (daemon_ < 0) return keeper_say(fmt::format("event=signal_ignored signal={} reason=\"no daemon runs\"", name));
  ::kill(daemon_, signal);
  keeper_say(fmt::format("event=signal_forwarded signal={} daemon={}", name, daemon_));
}

// SIGUSR1 is also `baton upgrade --keeper`, which writes the new binary's path first.
bool Keeper::keeper_upgrade_asked() const {
  std::error_code ignored;
  return std::filesystem::exists(std::filesystem::path(options_.home) / "upgrade.keeper", ignored);
}

// `baton upgrade` wrote the new binary's path and signalled us: the daemon hands over
// (drains, leaves its apps running, exits 75) and the new binary starts on the same sockets.
void Keeper::begin_upgrade() {
  auto home = std::filesystem::path(options_.home);
  std::ifstream in(home / "upgrade.binary");
  std::string path;
  std::getline(in, path);
  if (path.empty() || ::access(path.c_str(), X_OK) != 0) return finish_upgrade("failed: no executable at '" + path + "'");
  if (daemon_ < 0 || !previous_binary_.empty()) return finish_upgrade("failed: no daemon runs, or an upgrade is under way");
  keeper_say(fmt::format("event=upgrade_started binary={}", path));
  previous_binary_ = binary_;
  binary_ = path;
  upgrade_deadline_ = Clock::now() + kUpgradeReadyTimeout;
  ::kill(daemon_, SIGUSR2);
}

void Keeper::finish_upgrade(const std::string& result) {
  keeper_say(fmt::format("event=upgrade_{} result=\"{}\"", result.starts_with("ok") ? "done" : "failed", result));
  if (result.starts_with("ok")) previous_binary_.clear();
  upgrade_deadline_ = Clock::time_point::max();
  auto path = std::filesystem::path(options_.home) / "upgrade.result";
  std::ofstream(path.string() + ".tmp") << result << "\n";
  std::error_code ignored;
  std::filesystem::rename(path.string() + ".tmp", path, ignored);
}

void Keeper::close_unclaimed_passed() {
  passed_closed_ = true;
  // Every configured listener is open by now: a passed socket nothing claimed has no use.
  for (const auto& closed : close_unclaimed_passed_sockets())
    keeper_say("event=passed_socket_unused " + closed + " action=closed");
}

KeeperState Keeper::snapshot() const {
  KeeperState state{.lock_fd = lock_,
                    .daemon = daemon_,
                    .link_fd = link_,
                    .daemon_started_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(started_.time_since_epoch()).count(),
                    .restart_delay_ms = delay_.count(),
                    .served = served_,
                    .passed_closed = passed_closed_,
                    .draining = {draining_.begin(), draining_.end()},
                    .held = {},
                    .passed = {}};
  for (const auto& [requested, held] : held_) state.held.push_back({held.fd, requested, held.bound.text(), held.passed});
  for (const auto& passed : passed_sockets()) state.passed.push_back({passed.fd, passed.name});
  return state;
}

void Keeper::resume(const KeeperState& state) {
  daemon_ = state.daemon;
  link_ = state.link_fd;
  started_ = Clock::time_point(std::chrono::nanoseconds(state.daemon_started_ns));
  delay_ = std::chrono::milliseconds(state.restart_delay_ms);
  served_ = state.served;
  passed_closed_ = state.passed_closed;
  draining_.insert(state.draining.begin(), state.draining.end());
  for (const auto& held : state.held) {
    auto bound = parse_address(held.bound);
    if (bound) held_.emplace(held.requested, Held{held.fd, *bound, held.passed});
  }
  for (const auto& passed : state.passed) passed_sockets().push_back({passed.fd, passed.name});
  // Close-on-exec again: a daemon started from here must get only what it asks for.
  for (int fd : descriptors_of(state)) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

// `baton upgrade --keeper`: this process becomes the new binary, same pid, so the daemon stays
// its child; the sockets, the link and the lock cross the exec. The new binary is tried first
// (its version, then a trial resume of this very state): one that dies at start would leave the
// service without a keeper.
void Keeper::upgrade_self() {
  auto request = std::filesystem::path(options_.home) / "upgrade.keeper";
  std::ifstream in(request);
  std::string path;
  std::getline(in, path);
  std::error_code ignored;
  std::filesystem::remove(request, ignored);  // the next SIGUSR1 is logrotate's, unless asked again
  if (stopping_ || !previous_binary_.empty()) return finish_upgrade("failed: the keeper is stopping or upgrading the daemon");
  auto checked = check_keeper_binary(path);
  if (!checked) return finish_upgrade("failed: " + checked.error());
  KeeperOptions next = options_;
  next.daemon_binary = binary_;
  auto state = snapshot();
  if (auto tried = try_resume(path, next, state); !tried) return finish_upgrade("failed: " + tried.error());
  keeper_say(fmt::format("event=keeper_upgrade_started binary={} version=\"{}\"", path, *checked));
  auto error = reexec_keeper(path, next, state);
  finish_upgrade("failed: " + error);  // still here: nothing changed
}

int Keeper::run(bool resumed) {
  sigset_t handled;
  sigemptyset(&handled);
  for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2}) sigaddset(&handled, s);
  // Signals whose default would end the keeper and that mean nothing to it: logged and ignored.
  for (int s : {SIGALRM, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGXCPU}) sigaddset(&handled, s);
  ::sigprocmask(SIG_BLOCK, &handled, nullptr);
  // A closed standard error (a pipe whose reader left) must not end the keeper with its sockets.
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGXFSZ, SIG_IGN);
  // A request left by an upgrade that an older keeper carried out must not be taken for a new one.
  std::error_code ignored;
  std::filesystem::remove(std::filesystem::path(options_.home) / "upgrade.keeper", ignored);
  int signals = ::signalfd(-1, &handled, SFD_CLOEXEC);
  if (signals < 0 || (!resumed && !start_daemon())) return 1;
  if (resumed) {
    finish_upgrade(fmt::format("ok {}", ::getpid()));
    // A daemon that exited while the exec ran is reaped now, its SIGCHLD pending or not.
    reap_children();
  }
  auto restart_at = Clock::time_point::max();
  while (daemon_ > 0 || !stopping_ || !draining_.empty()) {
    if (daemon_ < 0 && !stopping_ && restart_at == Clock::time_point::max()) restart_at = Clock::now() + delay_;
    int timeout = -1;
    if (daemon_ < 0 && !stopping_) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(restart_at - Clock::now()).count();
      timeout = static_cast<int>(std::max<long long>(0, left));
    }
    if (upgrade_deadline_ != Clock::time_point::max()) {
      if (Clock::now() >= upgrade_deadline_ && daemon_ > 0) {
        keeper_say("event=upgrade_timed_out");
        upgrade_deadline_ = Clock::time_point::max();
        ::kill(daemon_, SIGKILL);  // its exit goes back to the binary before
      }
      timeout = timeout < 0 ? 200 : std::min(timeout, 200);
    }
    pollfd watched[2] = {{signals, POLLIN, 0}, {link_, POLLIN, 0}};
    int ready = ::poll(watched, link_ >= 0 ? 2 : 1, timeout);
    if (ready < 0 && errno != EINTR) return 1;
    if (daemon_ < 0 && !stopping_ && Clock::now() >= restart_at) {
      restart_at = Clock::time_point::max();
      if (!start_daemon()) delay_ = kMaxRestartDelay;
      continue;
    }
    if (ready <= 0) continue;
    if (link_ >= 0 && (watched[1].revents & (POLLIN | POLLHUP | POLLERR))) answer(link_);
    if (watched[0].revents & POLLIN) {
      signalfd_siginfo info{};
      if (::read(signals, &info, sizeof info) != sizeof info) continue;
      auto signal = static_cast<int>(info.ssi_signo);
      if (signal == SIGTERM || signal == SIGINT || signal == SIGQUIT) {
        stopping_ = true;
        keeper_say(fmt::format("event=stopping signal={}", signal));
        if (daemon_ > 0) ::kill(daemon_, signal);
      } else if (signal == SIGHUP) {
        forward(SIGHUP, "SIGHUP");
      } else if (signal == SIGUSR2) {
        begin_upgrade();
      } else if (signal == SIGUSR1) {
        if (keeper_upgrade_asked()) upgrade_self();
        else forward(SIGUSR1, "SIGUSR1");
      } else if (signal != SIGCHLD) {
        keeper_say(fmt::format("event=signal_ignored signal={}", signal));
      }
      reap_children();
    }
  }
  while (!held_.empty()) close_listener(std::string(held_.begin()->first));
  return exit_code_;
}

// One keeper per home, as one daemon per home: the lock names the one that runs.
std::expected<int, std::string> lock_keeper(const std::string& home) {
  std::error_code ec;
  std::filesystem::create_directories(home, ec);
  if (ec) return std::unexpected(fmt::format("cannot create the home directory {}: {}", home, ec.message()));
  auto path = std::filesystem::path(home) / "keeper.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected(fmt::format("cannot open {}: {}", path.string(), std::strerror(errno)));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char pid[32] = {};
    auto n = ::pread(fd, pid, sizeof pid - 1, 0);
    ::close(fd);
    return std::unexpected(fmt::format("another baton keeper runs with the home {} (pid {})", home,
                                       n > 0 ? std::string(pid, static_cast<std::size_t>(n)) : "unknown"));
  }
  auto text = std::to_string(::getpid());
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) < 0) {
    // The pid is only for the message a second keeper prints.
  }
  return fd;
}
}  // namespace

void keeper_say(const std::string& line) { fmt::print(stderr, "[keeper] {}\n", line); }

int run_keeper(const KeeperOptions& options, const KeeperState* resumed) {
  int lock = resumed ? resumed->lock_fd : -1;
  if (!resumed) {
    // Passed sockets are checked first: a malformed LISTEN_FDS stops the keeper before it takes the home.
    if (auto taken = take_passed_sockets(); !taken) {
      fmt::print(stderr, "baton-keeper: {}\n", taken.error());
      return 2;
    }
    auto locked = lock_keeper(options.home);
    if (!locked) {
      fmt::print(stderr, "baton: {}\n", locked.error());
      return 1;
    }
    lock = *locked;
  }
  Keeper keeper(options, lock);
  if (resumed) {
    keeper.resume(*resumed);
    keeper_say(fmt::format("event=keeper_resumed pid={} daemon={} listeners={}", ::getpid(), resumed->daemon,
                           resumed->held.size()));
  } else {
    keeper_say(fmt::format("event=keeper_started pid={} home={}", ::getpid(), options.home));
  }
  int code = keeper.run(resumed != nullptr);
  keeper_say(fmt::format("event=keeper_stopped exit={}", code));
  ::close(lock);
  return code;
}
}  // namespace baton
