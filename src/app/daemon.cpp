#include "app/daemon.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <atomic>
#include <filesystem>
#include <fmt/format.h>
#include <future>
#include <thread>

#include "base/log.hpp"
#include "config/loader.hpp"
#include "app/app_artifacts.hpp"
#include "app/artifact_upload.hpp"
#include "control/token_store.hpp"
#include "app/config_applier.hpp"
#include "app/cron_restarts.hpp"
#include "app/control_api.hpp"
#include "app/daemon_config.hpp"
#include "app/daemon_signals.hpp"
#include "app/control_listeners.hpp"
#include "app/site_api.hpp"
#include "app/service_runtime.hpp"
#include "app/state_recorder.hpp"
#include "app/systemd.hpp"
#include "deploy/deployer.hpp"
#include "net/keeper_link.hpp"
#include "net/socket_activation.hpp"
#include "proxy/proxy_server.hpp"

namespace baton {
namespace {
// How long keep-alive clients may send one more request when the listeners outlive the daemon
// (a handover, or any stop under a keeper): the next daemon takes the connections after.
constexpr std::chrono::milliseconds kHandoverIdleGrace{1000};

// A handler that throws out of the control plane's loop (a completion handler,
// a posted task) would end the process and every listener with it: the loop logs
// it and goes on, as Asio allows after an exception. What threw is the bug; the
// data plane keeps serving meanwhile.
// WATCHDOG=1 from the control plane's own loop, at half the interval systemd expects:
// a control plane that hangs stops it, and systemd restarts the unit.
void start_watchdog(asio::any_io_executor executor) {
  auto interval = watchdog_interval();
  if (!interval) return;
  auto period = std::chrono::duration_cast<std::chrono::milliseconds>(*interval / 2);
  asio::co_spawn(executor, [executor, period]() -> awaitable<void> {
    asio::steady_timer timer(executor);
    for (;;) {
      notify_systemd("WATCHDOG=1");
      timer.expires_after(period);
      co_await timer.async_wait(asio::use_awaitable);
    }
  }, log::LogIfThrown{"watchdog"});
}

void run_control_plane(asio::io_context& control) {
  for (;;) {
    try {
      control.run();
      return;
    } catch (...) {
      log::error("event=control_plane_handler_threw error=\"{}\"", log::describe(std::current_exception()));
    }
  }
}

// Returns the signal that stops the daemon (or hands it over); the others are carried out on the
// control plane, or logged and ignored, and the wait goes on.
int wait_for_stop_signal(const sigset_t& signals, asio::io_context& control, ConfigApplier& applier,
                         ServiceRuntime& runtime, proxy::ProxyServer& server) {
  for (;;) {
    int received = 0;
    sigwait(&signals, &received);
    switch (daemon_action(received, under_keeper())) {
      case SignalAction::stop:
      case SignalAction::hand_over:
        return received;
      case SignalAction::reload:
        asio::co_spawn(control, reload_config_file(applier), log::LogIfThrown{"reload"});
        break;
      case SignalAction::reopen_logs:
        asio::post(control, [&runtime, &server] { reopen_log_files(runtime, server); });
        break;
      case SignalAction::ignore:
        log::warn("event=signal_ignored signal={}{}", signal_name(received),
                  received == SIGUSR2 ? " hint=\"handing over needs baton keeper\"" : "");
        break;
    }
  }
}

// The home holds logs, output pipes, the state database and the control socket: owner only.
std::expected<std::filesystem::path, std::string> prepare_home(const std::string& home) {
  std::error_code ec;
  std::filesystem::path dir(home);
  std::filesystem::create_directories(dir / "logs", ec);
  if (!ec) std::filesystem::create_directories(dir / "run", ec);
  if (ec) return std::unexpected(fmt::format("cannot create the home directory {}: {}", home, ec.message()));
  ::chmod(dir.c_str(), 0700);
  return dir;
}

// One daemon per home: two would fight over the socket, the state and the instances. The lock
// is the kernel's, so it ends with the process however it ends; a daemon that hands over while
// it drains closes the returned fd early.
std::expected<int, std::string> lock_home(const std::filesystem::path& home) {
  int fd = ::open((home / "daemon.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected(fmt::format("cannot open {}/daemon.lock: {}", home.string(), std::strerror(errno)));
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return fd;
  ::close(fd);
  return std::unexpected(fmt::format("another baton daemon runs with the home {}: use it, or stop it with "
                                     "'baton shutdown --home {}'",
                                     home.string(), home.string()));
}

// Ends the deploys a previous daemon left unfinished (rolled back), once the log is set up.
std::expected<void, std::string> end_interrupted_deploys(StateRecorder& state) {
  auto ended = state.end_interrupted_deploys();
  if (!ended) return std::unexpected(ended.error());
  for (const auto& deploy : *ended) log::warn("event=deploy_interrupted deploy=\"{}\" outcome=rolled_back", deploy);
  return {};
}

// A member-less coroutine, not a lambda: GCC 12 mishandles coroutine lambdas that take parameters.
template <typename T>
awaitable<void> run_into(std::shared_ptr<std::promise<T>> done, std::function<awaitable<T>()> work) {
  T value = co_await work();
  done->set_value(std::move(value));
}

// Runs `work` on the control plane's thread and waits for its result. An exception it throws
// is rethrown here: `asio::detached` would drop it and leave this thread waiting for ever.
// The promise is shared: this thread may wake and return the moment the value is set, while the
// control thread is still inside set_value and its coroutine still has to end (a promise on this
// stack died under it, seen as a bad vptr under UBSan).
template <typename T>
T run_on(asio::io_context& context, std::function<awaitable<T>()> work) {
  auto done = std::make_shared<std::promise<T>>();
  auto result = done->get_future();
  asio::co_spawn(context, run_into<T>(done, std::move(work)), [done](std::exception_ptr error) {
    if (error) done->set_exception(error);
  });
  return result.get();
}

// A start-up step whose exception (asio reports some failures only so) is its error message.
template <typename T>
T start_step(asio::io_context& context, std::function<awaitable<T>()> work) {
  try {
    return run_on<T>(context, std::move(work));
  } catch (const std::exception& e) {
    return std::unexpected(std::string(e.what()));
  }
}

// The loaded config without its services and sites: what the runtime starts from before the
// first apply adds them, so startup and `baton apply` take the same path.
std::shared_ptr<const Config> nothing_but_settings(const Config& config) {
  auto bare = std::make_shared<Config>();
  bare->source = config.source;
  bare->proxy = config.proxy;
  bare->control = config.control;
  bare->log_level = config.log_level;
  bare->logs = config.logs;
  return bare;
}

// Starts every configured service, then stops what a previous daemon left that nothing adopted.
awaitable<std::expected<void, std::string>> start_services(ConfigApplier& applier, ServiceRuntime& runtime,
                                                           deploy::Deployer& deployer, StateRecorder& state,
                                                           std::shared_ptr<const Config> config) {
  auto applied = co_await applier.apply(std::move(config));
  if (!applied) co_return std::unexpected(applied.error().message);
  if (!applied->failed.empty())
    co_return std::unexpected("cannot start " + applied->failed.front().first + ": " + applied->failed.front().second);
  co_await runtime.stop_unadopted();
  state.forget_services_except(deployer.service_names());
  co_return std::expected<void, std::string>{};
}
}  // namespace

int run_daemon(const cli::DaemonCommand& command) {
  // Sockets systemd passed (LISTEN_FDS) are taken before anything else opens a descriptor.
  if (auto passed = take_passed_sockets(); !passed) {
    fmt::print(stderr, "baton: {}\n", passed.error());
    return cli::kUsage;
  }
  auto attached = attach_to_keeper();
  if (!attached) {
    fmt::print(stderr, "baton: {}\n", attached.error());
    return cli::kUsage;
  }
  if (*attached) log::info("event=under_keeper pid={}", ::getppid());
  auto home = prepare_home(command.home);
  if (!home) {
    fmt::print(stderr, "baton: {}\n", home.error());
    return cli::kFailed;
  }
  auto home_lock = lock_home(*home);
  if (!home_lock) {
    fmt::print(stderr, "baton: {}\n", home_lock.error());
    return cli::kFailed;
  }
  auto recorder = StateRecorder::open(*home);
  if (!recorder) {
    fmt::print(stderr, "baton: {}\n", recorder.error());
    return cli::kFailed;
  }
  auto& state = **recorder;
  auto loaded = load_daemon_config(command.config_path, state);
  if (!loaded) {
    fmt::print(stderr, "{}\n", loaded.error());
    return cli::kUsage;
  }
  const Config& config = *loaded->config;
  if (auto logging = log::init(command.log_level.value_or(config.log_level), command.log_file, config.logs.daemon);
      !logging) {
    fmt::print(stderr, "baton: {}\n", logging.error());
    return cli::kFailed;
  }
  if (auto ended = end_interrupted_deploys(state); !ended) {
    fmt::print(stderr, "baton: {}\n", ended.error());
    return cli::kFailed;
  }
  auto signals = block_daemon_signals();
  // Listeners open with the first apply below, like every later change of the config.
  auto server = proxy::ProxyServer::start(*nothing_but_settings(config), *home / "logs" / "access.log");
  if (!server) {
    fmt::print(stderr, "baton: {}\n", server.error());
    return cli::kFailed;
  }
  auto recorded = state.recorded_instances();
  if (!recorded) {
    fmt::print(stderr, "baton: {}\n", recorded.error());
    return cli::kFailed;
  }

  asio::io_context control(1);
  // The control plane's reactor (epoll, eventfd, timerfd) is made now, while descriptors are
  // free: made on first use, it threw when a flood of clients had taken every descriptor.
  { asio::steady_timer make_the_reactor(control); }
  auto keep_running = asio::make_work_guard(control);
  std::thread control_thread([&] { run_control_plane(control); });
  ServiceRuntime runtime(control.get_executor(), nothing_but_settings(config), **server, *home, std::move(*recorded),
                         [&state](const std::string& service, const std::string& release,
                                  const std::vector<supervisor::AdoptedInstance>& instances) {
                           state.save_instances(service, release, instances);
                         });
  deploy::Deployer deployer(control.get_executor(), runtime, &state);
  ConfigApplier applier(runtime, deployer, **server, state, loaded->sources);
  using Started = std::expected<void, std::string>;
  auto started = start_step<Started>(control, [&]() -> awaitable<Started> {
    co_return co_await start_services(applier, runtime, deployer, state, loaded->config);
  });
  int exit_code = cli::kOk;
  int received = 0;
  bool handing_over = false;
  CronRestarts cron_restarts([&runtime]() -> const Config& { return runtime.config(); },
                             [&deployer](const std::string& service) -> std::expected<void, std::string> {
                               const auto* live = deployer.live(service);
                               if (!live) return std::unexpected("it has no live release");
                               if (live->spec.instances == 0) return std::unexpected("it is stopped");
                               auto started = deployer.deploy(deploy::DeployRequest{
                                   .service = service, .spec = live->spec, .version = live->version,
                                   .strategy = std::nullopt, .who = "cron_restart"});
                               if (!started) return std::unexpected(started.error());
                               return {};
                             });
  SiteApi sites([&runtime]() -> const std::map<std::string, SiteConfig>& { return runtime.config().sites; });
  std::atomic<bool> stop_apps{false};
  AppArtifacts artifacts(*home);
  deployer.discard_code = [&artifacts](const std::string& service, const std::string& dir) {
    artifacts.discard(service, dir);
  };
  control::TokenStore tokens(*home / "tokens.json");
  ApiContext api{runtime, deployer, applier, &sites, &stop_apps, &artifacts, &tokens};
  control::Handlers handlers{
      .handle = [&](const control::Request& r, control::Reply& reply) { return handle_api(r, reply, api); },
      .streams_body = [](const control::Request& head) { return SiteApi::is_upload(head) || is_artifact_upload(head); },
      .upload = [&](const control::Request& head, control::BodyReader& body,
                    control::Reply& reply) -> awaitable<void> {
        if (is_artifact_upload(head)) return handle_artifact_upload(head, body, reply, api);
        return sites.upload(head, body, reply);
      }};
  using Control = std::expected<ControlListeners, std::string>;
  auto control_server = start_step<Control>(control, [&]() -> awaitable<Control> {
    co_return start_control_listeners(control.get_executor(), *home, config.control, handlers);
  });
  if (!control_server) {
    fmt::print(stderr, "baton: {}\n", control_server.error());
    exit_code = cli::kFailed;
  } else if (!started) {
    fmt::print(stderr, "baton: {}\n", started.error());
    exit_code = cli::kFailed;
  } else {
    start_watchdog(control.get_executor());
    asio::co_spawn(control, cron_restarts.run(), asio::detached);
    // Every configured listener is open: a passed socket nothing claimed has no use.
    for (const auto& closed : close_unclaimed_passed_sockets()) log::warn("event=passed_socket_unused {} action=closed", closed);
    // No MAINPID: under `baton keeper` the keeper stays the unit's main process.
    notify_systemd_serving(runtime.config().services.size());
    tell_keeper_ready();
    received = wait_for_stop_signal(signals, control, applier, runtime, **server);
    cron_restarts.stop();  // no restart may begin while the daemon drains or stops the apps
    handing_over = received == SIGUSR2 && under_keeper();
    // Under a keeper a daemon's stop is a restart unless the keeper stops, and systemd knows that one.
    if (!under_keeper()) notify_systemd("STOPPING=1\nSTATUS=draining");
    log::info("event={} signal={} timeout_ms={}", handing_over ? "handover" : "shutdown", received,
              runtime.config().proxy.shutdown_timeout.count());
  }
  auto timeout = run_on<Millis>(control, [&]() -> awaitable<Millis> {
    co_return runtime.config().proxy.shutdown_timeout;
  });
  // The apps keep running and stay recorded, whatever stopped the daemon (a signal, a crash,
  // a handover): the next daemon adopts them. Only `baton shutdown --stop-apps` stops them.
  bool stopping_apps = stop_apps && !handing_over;
  auto stop_control_plane = [&](bool stop_the_apps) {
    run_on<bool>(control, [&]() -> awaitable<bool> {
      if (control_server) control_server->close();
      if (stop_the_apps) co_await runtime.stop_all();
      co_return true;
    });
    keep_running.reset();
    control.stop();
    control_thread.join();
  };
  // Under a keeper the next daemon need not wait for this one's drain (WebSockets and streams may
  // last until the timeout): this one stops accepting, lets go of the control plane, the apps and
  // the home, and tells the keeper, which starts the next one at once; then it only drains.
  bool release_first = received != 0 && under_keeper() && !stopping_apps;
  if (release_first) {
    (*server)->stop_accepting();
    stop_control_plane(false);
    ::close(*home_lock);
    tell_keeper_released();
    log::info("event=released hint=\"the next daemon serves new connections; this one drains\"");
  }
  // Traffic drains first; only then do the instances behind it stop (with --stop-apps).
  // Under a keeper the listeners stay open for the next daemon, so keep-alive clients get one more
  // response (with Connection: close) instead of a close under their next request; without one,
  // nothing would take their next connection, and idle ones are closed at once.
  auto left = (*server)->shutdown(timeout, under_keeper() ? kHandoverIdleGrace : Millis(0));
  if (!release_first) stop_control_plane(stopping_apps);
  log::info("event=stopped connections_cut={} apps={}", left, stopping_apps ? "stopped" : "left_running");
  return handing_over ? kHandedOverExit : exit_code;
}
}  // namespace baton
