#include "deploy/deployer.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "base/check.hpp"
#include "base/log.hpp"
#include "deploy/deployer_service.hpp"

namespace baton::deploy {
namespace {
std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string timestamp_version() {
  return fmt::format("{:%Y%m%d-%H%M%S}", fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
}
}  // namespace

Deployer::Deployer(asio::any_io_executor executor, Runtime& runtime, Journal* journal)
    : executor_(std::move(executor)), runtime_(runtime), journal_(journal) {}

Deployer::~Deployer() = default;

namespace {
// The release a previous daemon left serving: the live one, or, when it stopped inside a blue-green
// switch (the old release already standby, the new one not yet live), the newest standby.
std::string serving_release(const std::deque<Release>& releases) {
  for (const auto& release : releases)
    if (release.status == ReleaseStatus::live) return release.id;
  for (auto it = releases.rbegin(); it != releases.rend(); ++it)
    if (it->status == ReleaseStatus::standby) return it->id;
  return {};
}
}  // namespace

awaitable<std::expected<void, std::string>> Deployer::add_service(const std::string& name,
                                                                 const ReleaseSpec& config_spec,
                                                                 std::vector<Release> history) {
  auto service = std::make_unique<Service>();
  service->name = name;
  service->config_spec = config_spec;
  for (auto& release : history) service->releases.push_back(std::move(release));
  for (const auto& release : service->releases)
    service->next_id = std::max<std::uint64_t>(service->next_id, std::stoull(release.id.substr(1)) + 1);
  service->live = serving_release(service->releases);
  auto& stored = *service;
  services_[name] = std::move(service);
  // A release left half-deployed does not come back; a warm standby's processes were stopped.
  for (auto& release : stored.releases) {
    if (release.id == stored.live) continue;
    if (release.status == ReleaseStatus::deploying)
      set_status(stored, release, ReleaseStatus::failed, "interrupted: the daemon stopped during its deploy");
    else if (release.status == ReleaseStatus::standby)
      set_status(stored, release, ReleaseStatus::retired, "its standby ended when the daemon stopped");
  }
  Release* live = find_release(stored, stored.live);
  if (!live) live = &add_release(stored, config_spec, "config", "config");
  stored.live = live->id;
  auto started = co_await runtime_.run_instances(name, *live, live->spec.size());
  if (!started) co_return started;
  set_status(stored, *live, ReleaseStatus::live);
  runtime_.set_traffic(name, TrafficSplit{{{live->id, std::nullopt}}, false});
  co_return std::expected<void, std::string>{};
}

void Deployer::begin_removal(const std::string& name) {
  auto found = services_.find(name);
  if (found == services_.end()) return;
  BATON_CHECK(!found->second->running);
  found->second->removing = true;
}

awaitable<void> Deployer::remove_service(std::string name) {
  auto found = services_.find(name);
  if (found == services_.end()) co_return;
  BATON_CHECK(!found->second->running);  // a run would be left holding the erased service
  auto service = std::move(found->second);
  services_.erase(found);
  if (service->standby_timer) service->standby_timer->cancel();
  for (const auto& release : service->releases) co_await runtime_.stop_instances(name, release.id, 0);
}

Release& Deployer::add_release(Service& service, ReleaseSpec spec, std::string version, std::string who) {
  Release release;
  release.id = fmt::format("r{}", service.next_id++);
  release.version = version.empty() ? timestamp_version() : std::move(version);
  release.spec = std::move(spec);
  release.created_ms = now_ms();
  release.created_by = std::move(who);
  service.releases.push_back(std::move(release));
  if (journal_) journal_->release_changed(service.name, service.releases.back());
  return service.releases.back();
}

Release* Deployer::find_release(Service& service, const std::string& id) {
  for (auto& release : service.releases)
    if (release.id == id) return &release;
  return nullptr;
}

void Deployer::set_status(Service& service, Release& release, ReleaseStatus status, std::string reason) {
  if (release.status == status && reason.empty()) return;
  release.status = status;
  if (!reason.empty()) release.reason = std::move(reason);
  record(service, release);
}

void Deployer::record(Service& service, const Release& release) {
  if (journal_) journal_->release_changed(service.name, release);
}

std::expected<void, std::string> Deployer::check_idle(const Service& service) const {
  if (service.removing)
    return std::unexpected(fmt::format("{} is being removed (the configuration applied last has no {}): its "
                                       "requests drain, then it stops",
                                       service.name, service.name));
  if (!service.running) return {};
  const auto& run = *service.running;
  return std::unexpected(fmt::format("a {} of {} is running ({} to {}, started {} s ago); wait for it or follow it "
                                     "with 'baton status {}'",
                                     run.kind(), service.name, run.strategy(), run.release(),
                                     run.elapsed().count() / 1000, service.name));
}

// Journals the run's start (a second daemon's deploy of the service is refused there too), then
// each of its events and its end; once it has ended, old releases leave the history.
std::expected<void, std::string> Deployer::journal_start(Service& service, DeployRun& run) {
  std::int64_t id = 0;
  if (journal_) {
    auto started = journal_->deploy_started(run, service.live);
    if (!started) return std::unexpected("cannot journal the " + run.kind() + ": " + started.error());
    id = *started;
  }
  run.record_to(
      [journal = journal_, id](const DeployEvent& e) {
        if (journal) journal->deploy_event(id, e);
      },
      [this, journal = journal_, id, name = service.name, &run](bool ok, const std::string& reason) {
        stats_.record(run, ok);
        if (journal) journal->deploy_finished(id, ok, reason);
        asio::post(executor_, [this, name] { forget_old_releases(name); });
      });
  return {};
}

void Deployer::forget_old_releases(const std::string& name) {
  auto found = services_.find(name);
  if (found == services_.end() || found->second->running) return;
  auto& service = *found->second;
  std::size_t excess = service.releases.size() > kKeptReleases ? service.releases.size() - kKeptReleases : 0;
  for (auto it = service.releases.begin(); it != service.releases.end() && excess > 0;) {
    if (it->id == service.live || it->id == service.standby) {
      ++it;
      continue;
    }
    if (journal_) journal_->release_forgotten(name, it->id);
    it = service.releases.erase(it);
    --excess;
  }
}

std::expected<std::shared_ptr<DeployRun>, std::string> Deployer::deploy(DeployRequest request) {
  auto found = services_.find(request.service);
  if (found == services_.end()) return std::unexpected("no service named '" + request.service + "'");
  auto& service = *found->second;
  if (auto idle = check_idle(service); !idle) return std::unexpected(idle.error());
  auto strategy = request.strategy.value_or(request.spec.deploy.strategy);
  if (request.spec.external()) {
    if (request.strategy == Strategy::canary)
      return std::unexpected("a canary needs a service with a command: an external service's targets switch at once");
    strategy = Strategy::blue_green;
  }
  if (strategy == Strategy::canary && request.spec.worker)
    return std::unexpected(fmt::format("{} is a worker (no listen): a canary is judged by the requests it serves, and "
                                       "a worker serves none; deploy it with --strategy rolling, recreate or "
                                       "blue-green", service.name));
  if (request.spec.worker && request.spec.deploy.watch > std::chrono::milliseconds(0))
    return std::unexpected(fmt::format("{} is a worker (no listen): a watch judges the requests a release serves, and "
                                       "a worker serves none; deploy it without --watch", service.name));
  if (strategy == Strategy::canary && service.config_spec.deploy.strategy == Strategy::recreate)
    return std::unexpected(fmt::format("a canary runs two releases side by side, and {} is deployed with recreate "
                                       "(it cannot run twice): deploy it with --strategy recreate",
                                       service.name));
  auto& release = add_release(service, std::move(request.spec), std::move(request.version), std::move(request.who));
  auto progress = std::make_shared<DeployRun>(executor_, service.name, release.id, "deploy",
                                              std::string(to_string(strategy)));
  if (auto journaled = journal_start(service, *progress); !journaled) {
    set_status(service, release, ReleaseStatus::failed, journaled.error());
    return std::unexpected(journaled.error());
  }
  service.running = progress;
  auto run = std::make_shared<Run>(*this, service, progress, release.id, strategy);
  run->build = request.build;
  asio::co_spawn(executor_, [run]() -> awaitable<void> { co_await run->execute(); },
                 [run](std::exception_ptr error) { Run::ended(run, error); });
  return progress;
}

std::expected<std::shared_ptr<DeployRun>, std::string> Deployer::rollback(RollbackRequest request) {
  auto found = services_.find(request.service);
  if (found == services_.end()) return std::unexpected("no service named '" + request.service + "'");
  auto& service = *found->second;
  if (auto idle = check_idle(service); !idle) return std::unexpected(idle.error());
  std::string to = request.to;
  if (to.empty()) to = service.standby;
  if (to.empty()) {
    // The newest release that was live before the current one.
    for (auto it = service.releases.rbegin(); it != service.releases.rend(); ++it)
      if (it->id != service.live && it->status == ReleaseStatus::retired) {
        to = it->id;
        break;
      }
  }
  if (to.empty()) return std::unexpected("no earlier release of " + service.name + " to roll back to");
  Release* release = find_release(service, to);
  if (!release) return std::unexpected("no release " + to + " of " + service.name + " (see 'baton releases " +
                                       service.name + "')");
  if (to == service.live) return std::unexpected(to + " is already live");
  // A rollback is an emergency: a canary-deployed service comes back in one switch.
  auto strategy = service.config_spec.deploy.strategy;
  if (release->spec.external() || strategy == Strategy::canary) strategy = Strategy::blue_green;
  auto progress = std::make_shared<DeployRun>(executor_, service.name, to, "rollback",
                                              to == service.standby ? "switch" : std::string(to_string(strategy)));
  if (auto journaled = journal_start(service, *progress); !journaled) return std::unexpected(journaled.error());
  service.running = progress;
  auto run = std::make_shared<Run>(*this, service, progress, to, strategy);
  bool warm = to == service.standby;
  asio::co_spawn(executor_, [run, warm]() -> awaitable<void> {
    if (warm) co_await run->switch_to_standby();
    else co_await run->execute();
  }, [run](std::exception_ptr error) { Run::ended(run, error); });
  return progress;
}

std::expected<std::shared_ptr<DeployRun>, std::string> Deployer::scale(ScaleRequest request) {
  auto found = services_.find(request.service);
  if (found == services_.end()) return std::unexpected("no service named '" + request.service + "'");
  auto& service = *found->second;
  if (auto idle = check_idle(service); !idle) return std::unexpected(idle.error());
  Release* live = find_release(service, service.live);
  if (!live) return std::unexpected(service.name + " has no live release");
  if (live->spec.external())
    return std::unexpected(service.name + " runs external targets: change them with 'baton deploy --target'");
  auto progress = std::make_shared<DeployRun>(executor_, service.name, live->id, request.kind, "in place");
  if (auto journaled = journal_start(service, *progress); !journaled) return std::unexpected(journaled.error());
  service.running = progress;
  auto run = std::make_shared<Run>(*this, service, progress, live->id, Strategy::rolling);
  asio::co_spawn(executor_, [run, count = request.instances]() -> awaitable<void> { co_await run->rescale(count); },
                 [run](std::exception_ptr error) { Run::ended(run, error); });
  return progress;
}

void Deployer::arm_standby_expiry(const std::string& name, Service& service) {
  if (service.standby_timer) service.standby_timer->cancel();
  auto* standby = find_release(service, service.standby);
  if (!standby) return;
  service.standby_timer = std::make_unique<asio::steady_timer>(executor_, standby->spec.deploy.standby_ttl);
  auto expired = [this, name, id = service.standby]() -> awaitable<void> {
    auto found = services_.find(name);
    if (found == services_.end()) co_return;
    auto* timer = found->second->standby_timer.get();
    auto [ec] = co_await timer->async_wait(use_nothrow);
    if (ec) co_return;
    // Looked up again: the service may have been removed, or the timer re-armed, meanwhile.
    found = services_.find(name);
    if (found == services_.end() || found->second->standby_timer.get() != timer) co_return;
    auto& s = *found->second;
    if (s.standby != id || s.running || s.removing) co_return;
    s.standby.clear();
    if (auto* release = find_release(s, id)) set_status(s, *release, ReleaseStatus::retired);
    log::info("event=standby_stopped service={} release={}", name, id);
    co_await runtime_.stop_instances(name, id, 0);
  };
  asio::co_spawn(executor_, expired, log::LogIfThrown{"standby_expiry"});
}

const std::deque<Release>* Deployer::releases(const std::string& name) const {
  auto found = services_.find(name);
  return found == services_.end() ? nullptr : &found->second->releases;
}

const Release* Deployer::live(const std::string& name) const {
  auto found = services_.find(name);
  if (found == services_.end()) return nullptr;
  for (const auto& release : found->second->releases)
    if (release.id == found->second->live) return &release;
  return nullptr;
}

std::vector<std::string> Deployer::service_names() const {
  std::vector<std::string> names;
  for (const auto& [name, service] : services_) names.push_back(name);
  return names;
}

std::string Deployer::standby(const std::string& name) const {
  auto found = services_.find(name);
  return found == services_.end() ? "" : found->second->standby;
}

std::shared_ptr<DeployRun> Deployer::running(const std::string& name) const {
  auto found = services_.find(name);
  return found == services_.end() ? nullptr : found->second->running;
}

std::expected<void, std::string> Deployer::steer(const std::string& name, OperatorCommand command) {
  auto found = services_.find(name);
  if (found == services_.end()) return std::unexpected("no service named '" + name + "'");
  const auto& run = found->second->running;
  auto verb = command == OperatorCommand::promote ? "promote" : "abort";
  if (!run) return std::unexpected(fmt::format("nothing to {}: no deploy of {} is running", verb, name));
  if (!run->steerable())
    return std::unexpected(fmt::format("nothing to {}: the {} of {} running is {}, not a canary", verb, run->kind(),
                                       name, run->strategy()));
  run->steer(command);
  return {};
}

std::expected<void, std::string> Deployer::pause(const std::string& name, bool paused) {
  auto found = services_.find(name);
  if (found == services_.end()) return std::unexpected("no service named '" + name + "'");
  if (auto idle = check_idle(*found->second); !idle) return std::unexpected(idle.error());
  auto split = runtime_.traffic(name);
  split.paused = paused;
  runtime_.set_traffic(name, std::move(split));
  return {};
}
}  // namespace baton::deploy
