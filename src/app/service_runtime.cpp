#include "app/service_runtime.hpp"

#include "base/log.hpp"
#include "deploy/hook_process.hpp"

namespace baton {
namespace {
// Sessions that picked a target from the table before the switch register as in flight within
// this time; only then does "nothing in flight" mean drained.
constexpr auto kSwitchGrace = std::chrono::milliseconds(100);
constexpr auto kDrainPoll = std::chrono::milliseconds(10);
// After the deadline the proxy's 100 ms tick closes what is left; this bounds the wait for it.
constexpr auto kCutWait = std::chrono::milliseconds(1000);
constexpr unsigned kLogTailLines = 10;

Address loopback(std::uint16_t port) { return Address{Address::Kind::tcp, "127.0.0.1", port, {}}; }

awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(use_nothrow);
}
}  // namespace

ServiceRuntime::ServiceRuntime(asio::any_io_executor executor, std::shared_ptr<const Config> config,
                               proxy::ProxyServer& server,
                               const std::filesystem::path& home,
                               std::map<std::string, std::vector<supervisor::AdoptedInstance>> recorded,
                               InstanceRecorder record)
    : executor_(executor),
      config_(std::move(config)),
      server_(server),
      log_dir_(home / "logs"),
      run_dir_(home / "run"),
      limits_(home),
      changed_(executor),
      adoptable_(std::move(recorded)),
      record_(std::move(record)),
      supervisor_(executor, [this](const supervisor::InstanceEvent& e) { on_instance_event(e); }) {
  // Not a coroutine lambda: GCC 12 miscompiles those with parameters.
  supervisor_.set_drainer(
      [this](std::uint16_t port, std::chrono::milliseconds timeout) { return drain_instance(port, timeout); });
  for (const auto& [k, adopted] : adoptable_) {
    auto service = config_->services.find(split_key(k).first);
    bool worker = service != config_->services.end() && service->second.worker;  // no requests wait for it
    if (!adopted.empty() && !worker) adopting_.insert(split_key(k).first);
  }
}

ServiceRuntime::~ServiceRuntime() {
  for (auto& [k, run] : releases_)
    for (auto& [index, checked] : run.instances)
      if (checked.monitor) checked.monitor->stop();
}

supervisor::ServiceSpec ServiceRuntime::spec_for(const std::string& service, const deploy::Release& release) const {
  const auto& sc = config_->services.at(service);
  supervisor::ServiceSpec spec;
  spec.name = service;
  spec.release = release.id;
  spec.command = release.spec.command;
  spec.command_is_line = release.spec.command_is_line;
  spec.cwd = release.spec.cwd;
  spec.env = release.spec.env;
  spec.instances = release.spec.instances;
  spec.socket_activation = sc.socket_activation;
  spec.stop_signal = sc.stop_signal;
  spec.stop_timeout = sc.stop_timeout;
  spec.max_memory = sc.max_memory;
  spec.worker = sc.worker;
  spec.min_uptime = sc.min_uptime.value_or(defaults::kWorkerMinUptime);
  if (sc.min_uptime) spec.backoff.min_uptime = *sc.min_uptime;
  spec.notify = sc.notify;
  spec.watchdog = sc.watchdog;
  spec.restart = sc.restart;
  if (sc.restart_delay) spec.backoff.initial = *sc.restart_delay;
  if (sc.max_restart_delay) spec.backoff.max = *sc.max_restart_delay;
  else spec.backoff.max = std::max(spec.backoff.max, spec.backoff.initial);  // a long restart_delay alone
  spec.log_file = log_dir_ / (service + ".log");
  spec.log_rotation = sc.logs.rotation;
  spec.log_per_instance = sc.logs.per_instance;
  spec.output_dir = run_dir_;
  limits_.apply(sc, spec);
  return spec;
}

awaitable<std::expected<void, std::string>> ServiceRuntime::run_instances(const std::string& service,
                                                                         const deploy::Release& release,
                                                                         unsigned count) {
  auto k = key(service, release.id);
  auto& run = releases_[k];
  run.service = service;
  run.id = release.id;
  run.external = release.spec.external();
  run.health = release.spec.health;
  run.trusted = release.spec.trust_targets;
  auto configured = config_->services.find(service);
  run.worker = configured != config_->services.end() && configured->second.worker;
  if (run.external) {
    for (unsigned i = 0; i < count && i < release.spec.targets.size(); ++i) {
      if (run.instances.contains(i)) continue;
      if (run.trusted) run.instances[i] = Checked{.address = release.spec.targets[i], .healthy = true};
      else watch(run, i, release.spec.targets[i]);
    }
    co_return std::expected<void, std::string>{};
  }
  std::expected<void, std::string> result;
  if (!supervisor_.contains(k)) {
    auto spec = spec_for(service, release);
    spec.instances = count;
    auto adopted = std::move(adoptable_[k]);
    adoptable_.erase(k);
    result = co_await supervisor_.start(std::move(spec), std::move(adopted));
  } else {
    result = co_await supervisor_.scale(k, count);
  }
  if (!result && !supervisor_.contains(k)) {
    releases_.erase(k);
    health_history_.erase(k);
  }
  record_instances(service, release.id, supervisor_.contains(k) ? count : 0);
  co_return result;
}

awaitable<void> ServiceRuntime::stop_instances(const std::string& service, const std::string& release, unsigned keep) {
  auto k = key(service, release);
  auto found = releases_.find(k);
  bool external = found != releases_.end() && found->second.external;
  if (external) {
    while (!found->second.instances.empty() && found->second.instances.rbegin()->first >= keep)
      unwatch(found->second, found->second.instances.rbegin()->first);
  } else if (keep > 0) {
    co_await supervisor_.scale(k, keep);
  } else {
    co_await supervisor_.stop(k);
  }
  if (!external) record_instances(service, release, keep);  // external targets run no process
  if (keep > 0) co_return;
  found = releases_.find(k);
  if (found == releases_.end()) co_return;
  while (!found->second.instances.empty()) unwatch(found->second, found->second.instances.begin()->first);
  releases_.erase(found);
  health_history_.erase(k);
  publish_routes();
}

void ServiceRuntime::record_instances(const std::string& service, const std::string& release, unsigned count) {
  auto k = key(service, release);
  auto& records = recorded_[k];
  for (const auto& s : supervisor_.status(k))
    if (s.identity) records[s.index] = supervisor::AdoptedInstance{s.index, s.port, *s.identity};
  std::erase_if(records, [count](const auto& r) { return r.first >= count; });
  save_records(service, release);
}

void ServiceRuntime::save_records(const std::string& service, const std::string& release) {
  auto k = key(service, release);
  std::vector<supervisor::AdoptedInstance> list;
  for (const auto& [index, record] : recorded_[k]) list.push_back(record);
  if (list.empty()) recorded_.erase(k);
  if (record_) record_(service, release, list);
}

void ServiceRuntime::on_instance_event(const supervisor::InstanceEvent& event) {
  if (event.kind == supervisor::InstanceEvent::Kind::started) {
    // Written before the process can do anything that matters: a daemon killed from here on
    // finds it in the state file and adopts or stops it.
    if (event.identity) {
      recorded_[key(event.service, event.release)][event.index] =
          supervisor::AdoptedInstance{event.index, event.port, *event.identity};
      save_records(event.service, event.release);
    }
    return;
  }
  auto found = releases_.find(key(event.service, event.release));
  if (found == releases_.end()) return;
  if (event.kind == supervisor::InstanceEvent::Kind::ended) {
    // A restart Baton began has ended otherwise (the new process died, could not start, or the
    // instance was stopped): its requests must not keep waiting for it.
    if (found->second.restarting.erase(event.index) > 0) publish_routes();
    return;
  }
  if (event.kind == supervisor::InstanceEvent::Kind::ready && found->second.worker) {
    // Its readiness is the supervisor's (min_uptime or READY=1): no port to check.
    found->second.instances[event.index] = Checked{.address = loopback(0), .pid = event.pid, .healthy = true};
    log::info("event=instance_ready service={} instance={} pid={} release={} worker=true", event.service, event.index,
              event.pid, event.release);
  } else if (event.kind == supervisor::InstanceEvent::Kind::ready) {
    log::info("event=instance_listening service={} release={} instance={} pid={} port={}", event.service,
              event.release, event.index, event.pid, event.port);
    watch(found->second, event.index, loopback(event.port), event.pid);
  } else {
    log::info("event=instance_down service={} release={} instance={} pid={}{}", event.service, event.release,
              event.index, event.pid, event.restarting ? " restarting=true" : "");
    unwatch(found->second, event.index);
    if (event.restarting && !found->second.worker) found->second.restarting.insert(event.index);
  }
  publish_routes();
  changed_.notify();
}

void ServiceRuntime::watch(ReleaseRun& run, unsigned index, Address address, pid_t pid) {
  unwatch(run, index);
  auto k = key(run.service, run.id);
  auto on_change = [this, k, index](bool healthy, const health::ProbeResult& result) {
    auto found = releases_.find(k);
    if (found == releases_.end()) return;
    auto instance = found->second.instances.find(index);
    if (instance == found->second.instances.end()) return;
    instance->second.healthy = healthy;
    instance->second.detail = result.detail;
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
    health_history_[k][index].add(HealthChange{now.count(), healthy, result.detail});
    if (healthy) found->second.restarting.erase(index);
    publish_routes();
    changed_.notify();
    // Logged once the route table that includes the instance is published: "ready" means it takes
    // traffic (unless its release is not routed yet, during a deploy).
    const auto& [service, release] = std::pair{found->second.service, found->second.id};
    if (healthy)
      log::info("event=instance_ready service={} instance={} pid={} release={} address={} check=\"{}\"", service,
                index, instance->second.pid, release, instance->second.address.text(), result.detail);
    else
      log::warn("event=instance_unhealthy service={} instance={} pid={} release={} check=\"{}\"", service, index,
                instance->second.pid, release, result.detail);
  };
  auto target = server_.registry().get(address);
  auto passive = [target] { return target->counters.connect_failures.load(std::memory_order_relaxed); };
  auto& checked = run.instances[index];
  checked.address = address;
  checked.pid = pid;
  checked.monitor = health::HealthMonitor::start(executor_, run.health, address, on_change, passive);
}

void ServiceRuntime::unwatch(ReleaseRun& run, unsigned index) {
  auto found = run.instances.find(index);
  if (found == run.instances.end()) return;
  if (found->second.monitor) found->second.monitor->stop();
  run.instances.erase(found);
}

std::vector<deploy::InstanceView> ServiceRuntime::instances(const std::string& service,
                                                            const std::string& release) const {
  std::vector<deploy::InstanceView> out;
  auto k = key(service, release);
  auto run = releases_.find(k);
  auto checked = [&](unsigned index) -> const Checked* {
    if (run == releases_.end()) return nullptr;
    auto found = run->second.instances.find(index);
    return found == run->second.instances.end() ? nullptr : &found->second;
  };
  if (run != releases_.end() && run->second.external) {
    for (const auto& [index, c] : run->second.instances)
      out.push_back({.index = index,
                     .address = c.address,
                     .healthy = c.healthy,
                     .health = c.monitor ? c.monitor->last().detail : "not checked"});
    return out;
  }
  for (const auto& s : supervisor_.status(k)) {
    deploy::InstanceView view{.index = s.index, .address = loopback(s.port), .pid = s.pid};
    if (const auto* c = checked(s.index)) {
      view.healthy = c->healthy;
      view.health = c->monitor ? c->monitor->last().detail : "ready";
    }
    view.crash_loop = s.state == supervisor::InstanceState::crash_loop;
    view.given_up = s.state == supervisor::InstanceState::exited || s.state == supervisor::InstanceState::errored;
    // A worker whose job ended cleanly (a one-shot job that cron_restart runs again) is done, not failed.
    if (s.completed && run != releases_.end() && run->second.worker) {
      view.given_up = false;
      view.healthy = true;
      view.health = "completed";
    }
    view.exits = s.restarts + (s.last_exit && s.state != supervisor::InstanceState::running ? 1 : 0);
    view.problem = !s.last_error.empty() ? s.last_error : s.last_exit ? s.last_exit->text() : "";
    out.push_back(std::move(view));
  }
  return out;
}

std::vector<HealthChange> ServiceRuntime::health_history(const std::string& service, const std::string& release,
                                                         unsigned index) const {
  auto run = health_history_.find(key(service, release));
  if (run == health_history_.end()) return {};
  auto found = run->second.find(index);
  return found == run->second.end() ? std::vector<HealthChange>{} : found->second.list();
}

bool ServiceRuntime::healthy(const std::string& service, const std::string& release, unsigned index) const {
  auto run = releases_.find(key(service, release));
  if (run == releases_.end()) return false;
  auto found = run->second.instances.find(index);
  return found != run->second.instances.end() && found->second.healthy;
}

deploy::TrafficSplit ServiceRuntime::traffic(const std::string& service) const {
  auto found = traffic_.find(service);
  return found == traffic_.end() ? deploy::TrafficSplit{} : found->second;
}

void ServiceRuntime::set_traffic(const std::string& service, deploy::TrafficSplit split) {
  traffic_[service] = std::move(split);
  publish_routes();
}

namespace {
bool same_routes(const proxy::RuntimeRoutes& a, const proxy::RuntimeRoutes& b) {
  auto same_route = [](const proxy::RuntimeRoute& x, const proxy::RuntimeRoute& y) {
    return x.paused == y.paused && x.max_pause == y.max_pause && x.max_waiting == y.max_waiting &&
           x.version_affinity == y.version_affinity && x.weights == y.weights && x.canary == y.canary &&
           x.releases == y.releases &&
           std::equal(x.targets.begin(), x.targets.end(), y.targets.begin(), y.targets.end(),
                      [](const auto& t, const auto& u) { return t.address == u.address && t.release == u.release; });
  };
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [&](const auto& x, const auto& y) { return x.first == y.first && same_route(x.second, y.second); });
}
}  // namespace

// Rebuilds the table only when what it routes changed: a new table starts round-robin afresh.
// A service still on its config's unchecked targets keeps the table's configured ones.
void ServiceRuntime::publish_routes(bool force) {
  proxy::RuntimeRoutes routes;
  for (const auto& [service, split] : traffic_) {
    auto config = config_->services.find(service);
    if (config == config_->services.end()) continue;
    if (split.releases.size() == 1 && !split.paused) {
      auto only = releases_.find(key(service, split.releases.begin()->first));
      if (only != releases_.end() && only->second.trusted) continue;
    }
    auto& route = routes[service];
    route.paused = split.paused;
    route.max_pause = config->second.deploy.max_pause;
    route.max_waiting = config->second.deploy.max_paused_requests;
    route.version_affinity = config->second.deploy.version_affinity;
    route.weights = split.weights;
    route.canary = split.canary;
    for (const auto& [release, allowed] : split.releases) {
      auto run = releases_.find(key(service, release));
      if (run == releases_.end()) continue;
      route.releases.push_back(release);
      for (const auto& [index, c] : run->second.instances)
        if (c.healthy && (!allowed || allowed->contains(index))) route.targets.push_back({c.address, release});
    }
    // A daemon that just started (after a crash, an upgrade) re-checks the apps it adopted:
    // meanwhile their requests wait, as in a pause, instead of getting 503.
    if (!route.targets.empty()) adopting_.erase(service);
    else if (adopting_.contains(service) || restarting(service, split)) route.paused = true;
  }
  // Listeners open with the first table, which may come before the adopted instances are.
  for (const auto& service : adopting_)
    if (!traffic_.contains(service) && config_->services.contains(service)) routes[service].paused = true;
  if (!force && same_routes(routes, published_)) return;
  published_ = routes;
  server_.publish(proxy::build_route_table(*config_, server_.registry(), routes));
}

awaitable<void> ServiceRuntime::drain_instance(std::uint16_t port, std::chrono::milliseconds timeout) {
  // A named vector: GCC 12 fails on a braced list inside co_await.
  std::vector<Address> targets;
  targets.push_back(loopback(port));
  co_await drain(targets, timeout);
}

bool ServiceRuntime::restarting(const std::string& service, const deploy::TrafficSplit& split) const {
  for (const auto& [release, allowed] : split.releases) {
    auto run = releases_.find(key(service, release));
    if (run != releases_.end() && !run->second.restarting.empty()) return true;
  }
  return false;
}

awaitable<deploy::DrainReport> ServiceRuntime::drain(const std::vector<Address>& addresses,
                                                     std::chrono::milliseconds timeout) {
  std::vector<std::shared_ptr<Target>> targets;
  for (const auto& a : addresses)
    if (counters_for(a)) targets.push_back(server_.registry().get(a));  // a worker's has no port: no requests
  if (targets.empty()) co_return deploy::DrainReport{};
  auto in_flight = [&] {
    std::int64_t sum = 0;
    for (const auto& t : targets) sum += std::max<std::int64_t>(0, t->counters.in_flight.load());
    return static_cast<std::uint64_t>(sum);
  };
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::uint64_t peak = in_flight();
  co_await sleep_for(kSwitchGrace);
  peak = std::max(peak, in_flight());
  while (in_flight() > 0 && std::chrono::steady_clock::now() < deadline) co_await sleep_for(kDrainPoll);
  deploy::DrainReport report;
  report.cut = in_flight();
  report.drained = peak > report.cut ? peak - report.cut : 0;
  if (report.cut == 0) co_return report;
  auto now_ns = std::chrono::steady_clock::now().time_since_epoch().count();
  for (const auto& t : targets) t->drain_deadline_ns.store(now_ns);
  auto cut_deadline = std::chrono::steady_clock::now() + kCutWait;
  while (in_flight() > 0 && std::chrono::steady_clock::now() < cut_deadline) co_await sleep_for(kDrainPoll);
  co_return report;
}

awaitable<deploy::HookOutcome> ServiceRuntime::run_hook(const std::string& service, const deploy::Release& release,
                                                        std::string_view hook, const HookCommand& command,
                                                        supervisor::EnvList extra) {
  auto log = LogFile::open(deploy_log(service), LogRotation{});
  deploy::HookProcess process;
  process.command = command;
  process.cwd = release.spec.cwd;
  process.env = release.spec.env;
  process.env.emplace_back("BATON_SERVICE", service);
  process.env.emplace_back("BATON_RELEASE", release.id);
  process.env.emplace_back("BATON_VERSION", release.version);
  for (auto& e : extra) process.env.push_back(std::move(e));
  process.timeout = hook == "build" ? release.spec.deploy.build_timeout : release.spec.deploy.hook_timeout;
  process.label = service + "/" + std::string(hook);
  auto outcome = co_await deploy::run_hook_process(executor_, process, log ? *log : nullptr);
  co_return outcome;
}

std::map<std::string, metrics::TrafficSnapshot> ServiceRuntime::release_traffic(const std::string& service) const {
  return metrics::by_release(server_.traffic(), service);
}

std::string ServiceRuntime::log_tail(const std::string& service, const std::string& release) const {
  auto file = log_dir_ / (service + ".log");
  auto found = config_->services.find(service);
  if (found == config_->services.end() || !found->second.logs.per_instance)
    return deploy::tail_of_output(file, "@" + release, kLogTailLines);
  // One file per instance: their last lines, merged by the time each line starts with.
  std::vector<std::string> lines;
  for (unsigned index = 0; std::filesystem::exists(supervisor::instance_log_path(file, index)); ++index) {
    auto tail = deploy::tail_of_output(supervisor::instance_log_path(file, index), "@" + release, kLogTailLines);
    for (std::size_t at = 0; at < tail.size();) {
      auto end = std::min(tail.find('\n', at), tail.size());
      lines.push_back(tail.substr(at, end - at));
      at = end + 1;
    }
  }
  std::ranges::stable_sort(lines, {}, [](const std::string& line) { return std::string_view(line).substr(0, line.find(' ')); });
  if (lines.size() > kLogTailLines) lines.erase(lines.begin(), lines.end() - kLogTailLines);
  std::string text;
  for (const auto& line : lines) text += (text.empty() ? "" : "\n") + line;
  return text;
}

std::vector<std::string> ServiceRuntime::flush_logs(const std::string& service) {
  namespace fs = std::filesystem;
  std::vector<std::string> flushed;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(log_dir_, ec)) {
    auto name = entry.path().filename().string();
    auto owner = name.substr(0, name.find('.'));
    bool output = name == owner + ".log" ||
                  (name.ends_with(".log") && name.size() > owner.size() + 5 &&
                   std::ranges::all_of(std::string_view(name).substr(owner.size() + 1, name.size() - owner.size() - 5),
                                       [](char c) { return c >= '0' && c <= '9'; }));
    if (!output || !config_->services.contains(owner) || (!service.empty() && owner != service)) continue;
    if (!supervisor_.truncate_log(entry.path().string())) fs::resize_file(entry.path(), 0, ec);
    for (unsigned generation = 1; fs::remove(rotated_path(entry.path(), generation), ec); ++generation) {
    }
    flushed.push_back(entry.path().string());
  }
  std::ranges::sort(flushed);
  return flushed;
}

awaitable<void> ServiceRuntime::wait_change(std::chrono::steady_clock::time_point deadline) {
  co_await changed_.wait_until(deadline);
}

awaitable<void> ServiceRuntime::stop_all() {
  for (auto& [k, run] : releases_)
    for (auto& [index, checked] : run.instances)
      if (checked.monitor) checked.monitor->stop();
  co_await supervisor_.stop_all();
  for (auto records = std::move(recorded_); const auto& [k, list] : records) {
    auto [service, release] = split_key(k);
    if (record_) record_(service, release, {});
  }
}

void ServiceRuntime::set_config(std::shared_ptr<const Config> config) {
  config_ = std::move(config);
  server_.configure_logs(config_->logs);
  log::set_rotation(config_->logs.daemon);
  for (auto it = traffic_.begin(); it != traffic_.end();)
    it = config_->services.contains(it->first) ? std::next(it) : traffic_.erase(it);
  publish_routes(true);  // listeners, sites and routing settings are in the table too
}

awaitable<void> ServiceRuntime::stop_unadopted() {
  for (auto leftovers = std::move(adoptable_); auto& [k, adopted] : leftovers) {
    supervisor::ServiceSpec spec;
    std::tie(spec.name, spec.release) = split_key(k);
    spec.instances = 0;  // every adopted process is past the count: adopted, then stopped
    if (auto config = config_->services.find(spec.name); config != config_->services.end()) {
      spec.stop_signal = config->second.stop_signal;
      spec.stop_timeout = config->second.stop_timeout;
    }
    log::info("event=stopping_unadopted service={} release={} instances={}", spec.name, spec.release,
              adopted.size());
    auto started = co_await supervisor_.start(spec, std::move(adopted));
    if (started) co_await supervisor_.stop(k);
    if (record_) record_(spec.name, spec.release, {});
  }
}

const TargetCounters* ServiceRuntime::counters_for(const Address& address) {
  if (address.kind == Address::Kind::tcp && address.port == 0) return nullptr;
  return &server_.registry().get(address)->counters;
}
}  // namespace baton
