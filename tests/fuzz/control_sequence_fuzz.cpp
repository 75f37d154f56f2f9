// A sequence of control API requests, one per line ("POST /v1/services/web/deploy {json}"),
// routed and decoded as the daemon does (api_path, deploy_body) and given to a Deployer on a
// fake runtime: deploys of releases that are healthy, never healthy, crash, are missing or
// throw, canaries and watched deploys, rollbacks, scales, stops, starts, pauses and resumes, landing while other runs go on.
// Nothing throws out, and once the io_context has run every run to its end, each service has
// exactly one live release and no run left holding it.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "app/api_path.hpp"
#include "app/deploy_body.hpp"
#include "base/check.hpp"
#include "base/log.hpp"
#include "deploy/deployer.hpp"
#include "deploy/fake_runtime.hpp"

namespace asio = boost::asio;

namespace {
using namespace std::chrono_literals;
using baton::deploy::Deployer;
constexpr std::size_t kMaxRequests = 32;
// Every deadline a run can wait on is short, so that each input runs in milliseconds.
constexpr auto kSequenceDeadline = 5ms;
constexpr auto kSequencePatience = 5s;  // a run still going after this never ends: a bug

baton::deploy::ReleaseSpec config_spec(bool external) {
  baton::deploy::ReleaseSpec spec;
  if (external) spec.targets = {baton::parse_address("127.0.0.1:9").value()};
  else spec.command = {"app"};
  spec.instances = 2;
  for (auto* timeout : {&spec.deploy.deploy_timeout, &spec.deploy.drain_timeout, &spec.deploy.max_pause,
                        &spec.deploy.standby_ttl, &spec.deploy.hook_timeout, &spec.deploy.canary.interval})
    *timeout = kSequenceDeadline;
  return spec;
}

// "METHOD TARGET BODY": one request handed to the deployer, refused or not.
void dispatch(Deployer& deployer, std::string_view line) {
  auto space = line.find(' ');
  auto method = line.substr(0, space);
  auto rest = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
  auto target = rest.substr(0, rest.find(' '));
  auto body_text = target.size() < rest.size() ? rest.substr(target.size() + 1) : std::string_view();
  auto path = baton::named_path(target, "/v1/services/");
  if (method != "POST" || !path || !deployer.contains(path->first)) return;
  const auto& [service, action] = *path;
  auto body = baton::parse_body_object(body_text);
  if (!body) return;
  const auto* live = deployer.live(service);
  if (action == "deploy") {
    auto request = baton::deploy_request(*body, live ? live->spec : config_spec(service == "api"), service);
    if (!request) return;
    // A canary's windows and a watch are as short as every other deadline here.
    auto& deploy = request->spec.deploy;
    deploy.canary.interval = std::min<std::chrono::milliseconds>(deploy.canary.interval, kSequenceDeadline);
    deploy.watch = std::min<std::chrono::milliseconds>(deploy.watch, kSequenceDeadline);
    (void)deployer.deploy(std::move(*request));
  } else if (action == "rollback") {
    if (auto request = baton::rollback_request(*body, service)) (void)deployer.rollback(std::move(*request));
  } else if (action == "scale" || action == "stop" || action == "start") {
    if (auto count = baton::scale_count(*body, action, 2))
      (void)deployer.scale({.service = service, .instances = *count, .kind = action, .who = "fuzz"});
  } else if (action == "pause" || action == "resume") {
    (void)deployer.pause(service, action == "pause");
  } else if (action == "promote" || action == "abort") {
    (void)deployer.steer(service, action == "promote" ? baton::deploy::OperatorCommand::promote
                                                      : baton::deploy::OperatorCommand::abort);
  }
}

// web runs instances, api routes to targets: both kinds of release.
asio::awaitable<void> add_service(Deployer& deployer, std::string name) {
  auto added = co_await deployer.add_service(name, config_spec(name == "api"), {});
  BATON_CHECK(added.has_value());
}

void add_services(asio::io_context& io, Deployer& deployer) {
  for (const auto* name : {"web", "api"}) asio::co_spawn(io, add_service(deployer, name), asio::detached);
  io.run();
  io.restart();
}

bool any_running(const Deployer& deployer) {
  for (const auto& name : deployer.service_names())
    if (deployer.running(name)) return true;
  return false;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool quiet = [] {
    baton::log::set_level("off");  // a deploy logs every step: millions of lines when fuzzing
    return true;
  }();
  (void)quiet;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  asio::io_context io;
  baton::deploy::testing::FakeRuntime runtime(io.get_executor());
  Deployer deployer(io.get_executor(), runtime);
  add_services(io, deployer);
  std::size_t requests = 0;
  for (std::size_t start = 0; start < input.size() && requests < kMaxRequests; ++requests) {
    auto end = std::min(input.find('\n', start), input.size());
    dispatch(deployer, input.substr(start, end - start));
    start = end + 1;
    io.poll();  // what is ready runs; timers wait, so the next request may land mid-run
    if (io.stopped()) io.restart();
  }
  for (auto deadline = std::chrono::steady_clock::now() + kSequencePatience; any_running(deployer);) {
    BATON_CHECK(std::chrono::steady_clock::now() < deadline);
    io.run_for(1ms);
    if (io.stopped()) io.restart();
  }
  for (const auto& name : deployer.service_names()) {
    int live = 0;
    for (const auto& release : *deployer.releases(name)) live += release.status == baton::deploy::ReleaseStatus::live;
    BATON_CHECK(live == 1);
    BATON_CHECK(deployer.live(name) != nullptr);
  }
  return 0;
}
