#include "app/daemon.hpp"

#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <fmt/format.h>
#include <future>
#include <thread>

#include "base/log.hpp"
#include "config/loader.hpp"
#include "app/control_api.hpp"
#include "app/control_listeners.hpp"
#include "app/site_api.hpp"
#include "app/service_runtime.hpp"
#include "app/state_recorder.hpp"
#include "deploy/deployer.hpp"
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

// The state file, with the deploys a previous daemon left unfinished ended (rolled back).
std::expected<std::unique_ptr<StateRecorder>, std::string> open_state(const std::filesystem::path& home) {
  auto recorder = StateRecorder::open(home);
  if (!recorder) return recorder;
  auto ended = (*recorder)->end_interrupted_deploys();
  if (!ended) return std::unexpected(ended.error());
  for (const auto& deploy : *ended) log::warn("event=deploy_interrupted deploy=\"{}\" outcome=rolled_back", deploy);
  return recorder;
}

// Runs `work` on the control plane's thread and waits for its result.
template <typename T>
T run_on(asio::io_context& context, std::function<awaitable<T>()> work) {
  std::promise<T> done;
  asio::co_spawn(context, [&]() -> awaitable<void> {
    T result = co_await work();
    done.set_value(std::move(result));
  }, asio::detached);
  return done.get_future().get();
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
  auto home = prepare_home(command.home);
  if (!home) {
    fmt::print(stderr, "baton: {}\n", home.error());
    return cli::kFailed;
  }

  auto recorder = open_state(*home);
  if (!recorder) {
    fmt::print(stderr, "baton: {}\n", recorder.error());
    return cli::kFailed;
  }
  auto& state = **recorder;
  auto recorded = state.recorded_instances();
  if (!recorded) {
    fmt::print(stderr, "baton: {}\n", recorded.error());
    return cli::kFailed;
  }

  asio::io_context control(1);
  auto keep_running = asio::make_work_guard(control);
  std::thread control_thread([&] { control.run(); });
  ServiceRuntime runtime(control.get_executor(), *config, **server, *home, std::move(*recorded),
                         [&state](const std::string& service, const std::string& release,
                                  const std::vector<supervisor::AdoptedInstance>& instances) {
                           state.save_instances(service, release, instances);
                         });
  deploy::Deployer deployer(control.get_executor(), runtime, &state);
  using Started = std::expected<void, std::string>;
  auto started = run_on<Started>(control, [&]() -> awaitable<Started> {
    std::vector<std::string> names;
    for (const auto& [name, service] : config->services) {
      auto spec = deploy::spec_from_config(service);
      auto history = state.load_service(name, spec);
      if (!history) co_return std::unexpected(name + ": " + history.error());
      auto added = co_await deployer.add_service(name, spec, std::move(*history));
      if (!added) co_return std::unexpected(name + ": " + added.error());
      names.push_back(name);
      if (service.managed())
        log::info("event=service_started service={} release={} instances={}", name, deployer.live(name)->id,
                  deployer.live(name)->spec.size());
    }
    co_await runtime.stop_unadopted();
    state.forget_services_except(names);
    co_return Started{};
  });
  int exit_code = cli::kOk;
  SiteApi sites(config->sites);
  ApiContext api{runtime, deployer, command.config_path, &sites};
  control::Handlers handlers{
      .handle = [&](const control::Request& r, control::Reply& reply) { return handle_api(r, reply, api); },
      .streams_body = &SiteApi::is_upload,
      .upload = [&](const control::Request& head, control::BodyReader& body,
                    control::Reply& reply) { return sites.upload(head, body, reply); }};
  using Control = std::expected<ControlListeners, std::string>;
  auto control_server = run_on<Control>(control, [&]() -> awaitable<Control> {
    co_return start_control_listeners(control.get_executor(), *home, config->control, handlers);
  });
  if (!control_server) {
    fmt::print(stderr, "baton: {}\n", control_server.error());
    exit_code = cli::kFailed;
  } else if (!started) {
    fmt::print(stderr, "baton: cannot start {}\n", started.error());
    exit_code = cli::kFailed;
  } else {
    int received = 0;
    sigwait(&signals, &received);
    log::info("event=shutdown signal={} timeout_ms={}", received, config->proxy.shutdown_timeout.count());
  }
  // Traffic drains first; only then do the instances behind it stop.
  auto left = (*server)->shutdown(config->proxy.shutdown_timeout);
  run_on<bool>(control, [&]() -> awaitable<bool> {
    if (control_server) control_server->close();
    co_await runtime.stop_all();
    co_return true;
  });
  keep_running.reset();
  control.stop();
  control_thread.join();
  log::info("event=stopped connections_cut={}", left);
  return exit_code;
}
}  // namespace baton
