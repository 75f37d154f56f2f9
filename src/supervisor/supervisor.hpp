#pragma once
// The instances of every managed service: start N of a spec, restart crashed ones with backoff,
// scale, stop, report. Runs on the control plane's executor; call it from that thread only.
// Knows nothing of the proxy: ready/down events say when an instance may take traffic.
#include <expected>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/asio.hpp"
#include "supervisor/instance.hpp"

namespace baton::supervisor {
class InstanceRunner;

class Supervisor {
 public:
  // `on_event` runs on the executor, from inside the supervisor: it must not throw or call back in.
  Supervisor(asio::any_io_executor executor, EventCallback on_event);
  // Stops supervising and leaves every instance running: a daemon that exits or crashes must not
  // take the apps down, and the next daemon adopts them (see AdoptedInstance).
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Starts spec.instances instances under spec.key(), first adopting the recorded ones that are
  // still alive (records past the instance count are stopped). Fails, leaving nothing running,
  // when the log file cannot be opened or a process cannot be started (missing binary, bad cwd).
  awaitable<std::expected<void, std::string>> start(ServiceSpec spec,
                                                    std::vector<AdoptedInstance> adopted = {});
  // Starts or stops instances (the highest indexes first) to reach `instances`.
  awaitable<std::expected<void, std::string>> scale(std::string_view key, unsigned instances);
  // Stops every instance of the service and forgets it.
  awaitable<void> stop(std::string_view key);
  awaitable<void> stop_all();

  // Given to every instance started from now on: waits out in-flight requests before a max_memory stop.
  void set_drainer(Drainer drainer) { drainer_ = std::move(drainer); }

  bool contains(std::string_view key) const { return services_.contains(key); }
  // Every open log file opened again by name (SIGUSR1, after logrotate moved them); how many.
  std::size_t reopen_logs();
  // Empties the open log file at `path`; false when none is open there.
  bool truncate_log(const std::string& path);
  // Every instance of one service, or of all services when `key` is empty, by key then index.
  std::vector<InstanceStatus> status(std::string_view key = {}) const;

 private:
  using Runners = std::map<unsigned, std::shared_ptr<InstanceRunner>>;
  struct Service {
    std::shared_ptr<const ServiceSpec> spec;
    std::shared_ptr<LogFile> log;  // null with log_per_instance: each runner opens its own
    Runners instances;
  };

  std::expected<std::shared_ptr<LogFile>, std::string> log_for(const ServiceSpec& spec);
  std::expected<std::shared_ptr<LogFile>, std::string> open_log(const std::filesystem::path& path, LogRotation rotation);
  std::expected<std::shared_ptr<InstanceRunner>, std::string> make_runner(const Service& service, unsigned index);
  std::expected<void, std::string> add_instances(Service& service, unsigned from, unsigned to);
  void adopt_instances(Service& service, const std::vector<AdoptedInstance>& adopted,
                       std::vector<std::shared_ptr<InstanceRunner>>& extra);
  static awaitable<void> stop_runners(std::vector<std::shared_ptr<InstanceRunner>> runners);

  asio::any_io_executor executor_;
  EventCallback on_event_;
  Drainer drainer_;
  std::map<std::string, Service, std::less<>> services_;
  // Two releases of a service share its log file, and must share its rotation too.
  std::map<std::string, std::weak_ptr<LogFile>> log_files_;
};
}  // namespace baton::supervisor
