#include "supervisor/supervisor.hpp"

#include <fmt/format.h>

#include "base/log.hpp"
#include "supervisor/instance_runner.hpp"
#include "base/log_file.hpp"

namespace baton::supervisor {
Supervisor::Supervisor(asio::any_io_executor executor, EventCallback on_event)
    : executor_(std::move(executor)), on_event_(std::move(on_event)) {}

Supervisor::~Supervisor() {
  for (auto& [key, service] : services_)
    for (auto& [index, runner] : service.instances) runner->abandon();
}

std::expected<std::shared_ptr<LogFile>, std::string> Supervisor::open_log(const std::filesystem::path& path,
                                                                         LogRotation rotation) {
  auto& shared = log_files_[path.string()];
  if (auto existing = shared.lock()) return existing;
  auto opened = LogFile::open(path, rotation);
  if (opened) shared = *opened;
  return opened;
}

// The service's file; with log_per_instance the first instance's, so that a start fails at once
// when the directory cannot take it.
std::expected<std::shared_ptr<LogFile>, std::string> Supervisor::log_for(const ServiceSpec& spec) {
  if (spec.log_file.empty()) return nullptr;
  auto path = spec.log_per_instance ? instance_log_path(spec.log_file, 0) : spec.log_file;
  auto opened = open_log(path, spec.log_rotation);
  if (!opened || !spec.log_per_instance) return opened;
  return nullptr;
}

bool Supervisor::truncate_log(const std::string& path) {
  auto found = log_files_.find(path);
  auto file = found == log_files_.end() ? nullptr : found->second.lock();
  if (!file) return false;
  if (auto emptied = file->truncate(); !emptied) log::warn("event=log_flush_failed file={} error=\"{}\"", path, emptied.error());
  return true;
}

std::size_t Supervisor::reopen_logs() {
  std::size_t reopened = 0;
  for (auto& [path, weak] : log_files_) {
    auto file = weak.lock();
    if (!file) continue;
    if (auto done = file->reopen(); !done) log::warn("event=log_reopen_failed file={} error=\"{}\"", path, done.error());
    else ++reopened;
  }
  return reopened;
}

std::expected<std::shared_ptr<InstanceRunner>, std::string> Supervisor::make_runner(const Service& service,
                                                                                   unsigned index) {
  auto log = service.log;
  if (service.spec->log_per_instance && !service.spec->log_file.empty()) {
    auto own = open_log(instance_log_path(service.spec->log_file, index), service.spec->log_rotation);
    if (!own) return std::unexpected(own.error());
    log = std::move(*own);
  }
  auto runner = std::make_shared<InstanceRunner>(executor_, service.spec, index, std::move(log), on_event_);
  runner->set_drainer(drainer_);
  return runner;
}

std::expected<void, std::string> Supervisor::add_instances(Service& service, unsigned from, unsigned to) {
  for (unsigned index = from; index < to; ++index) {
    if (service.instances.contains(index)) continue;
    auto runner = make_runner(service, index);
    if (!runner) return std::unexpected(runner.error());
    if (auto started = (*runner)->start(); !started) return started;
    service.instances.emplace(index, std::move(*runner));
  }
  return {};
}

void Supervisor::adopt_instances(Service& service, const std::vector<AdoptedInstance>& adopted,
                                 std::vector<std::shared_ptr<InstanceRunner>>& extra) {
  for (const auto& record : adopted) {
    if (service.instances.contains(record.index)) continue;
    auto made = make_runner(service, record.index);
    if (!made) {
      log::warn("event=adopt_skipped service={} instance={} pid={} reason=\"{}\"", service.spec->key(), record.index,
                record.identity.pid, made.error());
      continue;
    }
    auto& runner = *made;
    if (auto taken = runner->adopt(record); !taken) {
      log::info("event=adopt_skipped service={} instance={} pid={} reason=\"{}\"", service.spec->key(),
                record.index, record.identity.pid, taken.error());
      continue;
    }
    if (record.index < service.spec->instances) service.instances.emplace(record.index, std::move(runner));
    else extra.push_back(std::move(runner));
  }
}

awaitable<std::expected<void, std::string>> Supervisor::start(ServiceSpec spec,
                                                              std::vector<AdoptedInstance> adopted) {
  auto key = spec.key();
  if (services_.contains(key))
    co_return std::unexpected(fmt::format("service '{}' is already running; stop it first", key));
  auto log = log_for(spec);
  if (!log) co_return std::unexpected(log.error());
  Service service{std::make_shared<const ServiceSpec>(std::move(spec)), *log, {}};
  std::vector<std::shared_ptr<InstanceRunner>> extra;
  adopt_instances(service, adopted, extra);
  for (auto& runner : extra) runner->request_stop();
  auto added = add_instances(service, 0, service.spec->instances);
  if (!added) {
    for (auto& [index, runner] : service.instances) extra.push_back(runner);
    for (auto& runner : extra) runner->request_stop();
    co_await stop_runners(std::move(extra));
    co_return std::unexpected(added.error());
  }
  services_.emplace(key, std::move(service));
  co_await stop_runners(std::move(extra));
  co_return std::expected<void, std::string>{};
}

awaitable<std::expected<void, std::string>> Supervisor::scale(std::string_view key, unsigned instances) {
  auto found = services_.find(key);
  if (found == services_.end())
    co_return std::unexpected(fmt::format("no service '{}' is running", key));
  auto& service = found->second;
  auto spec = std::make_shared<ServiceSpec>(*service.spec);
  spec->instances = instances;
  service.spec = spec;
  std::vector<std::shared_ptr<InstanceRunner>> removed;
  while (!service.instances.empty() && service.instances.rbegin()->first >= instances) {
    removed.push_back(service.instances.rbegin()->second);
    removed.back()->request_stop();
    service.instances.erase(std::prev(service.instances.end()));
  }
  auto added = add_instances(service, 0, instances);
  co_await stop_runners(std::move(removed));
  co_return added;
}

awaitable<void> Supervisor::stop(std::string_view key) {
  auto found = services_.find(key);
  if (found == services_.end()) co_return;
  std::vector<std::shared_ptr<InstanceRunner>> runners;
  for (auto& [index, runner] : found->second.instances) {
    runner->request_stop();
    runners.push_back(runner);
  }
  services_.erase(found);  // before waiting: a new start of the same key may begin meanwhile
  co_await stop_runners(std::move(runners));
}

awaitable<void> Supervisor::stop_all() {
  std::vector<std::shared_ptr<InstanceRunner>> runners;
  for (auto& [key, service] : services_)
    for (auto& [index, runner] : service.instances) {
      runner->request_stop();
      runners.push_back(runner);
    }
  services_.clear();
  co_await stop_runners(std::move(runners));
}

// The stop requests are already out, so the instances stop in parallel; this only waits.
awaitable<void> Supervisor::stop_runners(std::vector<std::shared_ptr<InstanceRunner>> runners) {
  for (auto& runner : runners) co_await runner->finished();
}

std::vector<InstanceStatus> Supervisor::status(std::string_view key) const {
  std::vector<InstanceStatus> out;
  for (const auto& [service_key, service] : services_) {
    if (!key.empty() && key != service_key) continue;
    for (const auto& [index, runner] : service.instances) out.push_back(runner->status());
  }
  return out;
}
}  // namespace baton::supervisor
