#pragma once
// The deploy engine's hands: instances of releases under the supervisor, a
// health monitor per instance, and the traffic split published to the proxy as
// route tables. Everything runs on the control plane's thread.
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include "app/instance_limits.hpp"
#include "base/recent.hpp"
#include "balancer/health_monitor.hpp"
#include "config/config.hpp"
#include "deploy/notifier.hpp"
#include "deploy/runtime.hpp"
#include "proxy/proxy_server.hpp"
#include "supervisor/supervisor.hpp"

namespace baton {
// One change of an instance's health, as its monitor saw it.
struct HealthChange {
  std::int64_t time_ms = 0;  // unix time
  bool healthy = false;
  std::string detail;  // the check's result: "200 in 3ms", "connection refused"
};
inline constexpr std::size_t kHealthHistory = 10;  // per instance

class ServiceRuntime final : public deploy::Runtime {
 public:
  // Where instance identities go as processes start and stop, so a later daemon can adopt them.
  using InstanceRecorder = std::function<void(const std::string& service, const std::string& release,
                                              const std::vector<supervisor::AdoptedInstance>& instances)>;

  // `recorded`: instances a previous daemon left, by service@release; a release's first start
  // adopts the live ones instead of starting duplicates.
  ServiceRuntime(asio::any_io_executor executor, std::shared_ptr<const Config> config, proxy::ProxyServer& server,
                 const std::filesystem::path& home, std::map<std::string, std::vector<supervisor::AdoptedInstance>> recorded = {},
                 InstanceRecorder record = {});
  ~ServiceRuntime() override;

  awaitable<std::expected<void, std::string>> run_instances(const std::string& service,
                                                            const deploy::Release& release, unsigned count) override;
  awaitable<void> stop_instances(const std::string& service, const std::string& release, unsigned keep) override;
  std::vector<deploy::InstanceView> instances(const std::string& service, const std::string& release) const override;
  deploy::TrafficSplit traffic(const std::string& service) const override;
  void set_traffic(const std::string& service, deploy::TrafficSplit split) override;
  awaitable<deploy::DrainReport> drain(const std::vector<Address>& targets, std::chrono::milliseconds timeout) override;
  awaitable<deploy::HookOutcome> run_hook(const std::string& service, const deploy::Release& release,
                                          std::string_view hook, const HookCommand& command,
                                          supervisor::EnvList extra) override;
  std::string log_tail(const std::string& service, const std::string& release) const override;
  std::map<std::string, metrics::TrafficSnapshot> release_traffic(const std::string& service) const override;
  awaitable<void> wait_change(std::chrono::steady_clock::time_point deadline) override;

  // A new configuration: routes (and listeners) follow it at once. Its services must be the
  // deployer's; instances of services it dropped keep running, unrouted, until stopped.
  void set_config(std::shared_ptr<const Config> config);
  const Config& config() const { return *config_; }
  const std::shared_ptr<const Config>& shared_config() const { return config_; }
  // Stops every instance (daemon shutdown).
  awaitable<void> stop_all();
  // Stops the recorded instances no release adopted (a release that is no longer live, a service
  // no longer configured): after a restart nothing runs that the daemon does not know of.
  awaitable<void> stop_unadopted();
  std::vector<supervisor::InstanceStatus> status() const { return supervisor_.status(); }
  // The services' log files opened again by name; how many.
  std::size_t reopen_logs() { return supervisor_.reopen_logs(); }
  // `baton flush [NAME]`: empties the output log files of the service (every service when empty),
  // removes their rotated generations; running instances keep logging. The files emptied.
  std::vector<std::string> flush_logs(const std::string& service);
  bool healthy(const std::string& service, const std::string& release, unsigned index) const;
  // The instance's last kHealthHistory health changes, oldest first (kept across its restarts).
  std::vector<HealthChange> health_history(const std::string& service, const std::string& release,
                                           unsigned index) const;
  // HOME/logs: the services' output files.
  const std::filesystem::path& log_dir() const { return log_dir_; }
  const proxy::ProxyServer& server() const { return server_; }
  // The proxy's counters for a target, once it has taken traffic.
  const TargetCounters* counters_for(const Address& address);

 private:
  struct Checked {
    Address address;
    pid_t pid = 0;  // 0 for external targets
    std::shared_ptr<health::HealthMonitor> monitor;
    bool healthy = false;
    std::string detail;
  };
  struct ReleaseRun {
    std::string service;
    std::string id;
    bool external = false;
    bool trusted = false;  // config targets without a health check: no monitors, always routed
    bool worker = false;   // no port: ready is the supervisor's word, nothing to monitor or route
    HealthCheck health;
    std::map<unsigned, Checked> instances;  // managed: the ready ones; external: every target
    // Stopped by Baton to start again (max_memory, the watchdog), until healthy: while none of the
    // service's instances is routed, its requests wait as in a pause instead of getting 503.
    std::set<unsigned> restarting;
  };

  static std::string key(const std::string& service, const std::string& release) { return service + "@" + release; }
  // key() taken apart: {service, release}.
  static std::pair<std::string, std::string> split_key(const std::string& k) {
    auto at = k.rfind('@');
    return {k.substr(0, at), k.substr(at + 1)};
  }
  void on_instance_event(const supervisor::InstanceEvent& event);
  // Rewrites the recorded identities of `key`'s instances: those the supervisor runs, below `count`.
  void record_instances(const std::string& service, const std::string& release, unsigned count);
  void save_records(const std::string& service, const std::string& release);
  void watch(ReleaseRun& run, unsigned index, Address address, pid_t pid = 0);
  void unwatch(ReleaseRun& run, unsigned index);
  void publish_routes(bool force = false);
  bool restarting(const std::string& service, const deploy::TrafficSplit& split) const;
  awaitable<void> drain_instance(std::uint16_t port, std::chrono::milliseconds timeout);
  supervisor::ServiceSpec spec_for(const std::string& service, const deploy::Release& release) const;
  std::filesystem::path deploy_log(const std::string& service) const { return log_dir_ / (service + ".deploy.log"); }

  asio::any_io_executor executor_;
  std::shared_ptr<const Config> config_;
  proxy::ProxyServer& server_;
  std::filesystem::path log_dir_;  // home/logs
  std::filesystem::path run_dir_;  // home/run: instances' output FIFOs
  InstanceLimits limits_;          // user, group and cgroup limits of each service's instances
  std::map<std::string, ReleaseRun> releases_;  // by service@release
  std::map<std::string, std::map<unsigned, Recent<HealthChange, kHealthHistory>>> health_history_;  // by service@release
  std::map<std::string, deploy::TrafficSplit> traffic_;
  proxy::RuntimeRoutes published_;
  std::set<std::string> adopting_;  // services with adopted instances none of which is checked yet
  deploy::Notifier changed_;
  std::map<std::string, std::vector<supervisor::AdoptedInstance>> adoptable_;  // by service@release
  InstanceRecorder record_;
  std::map<std::string, std::map<unsigned, supervisor::AdoptedInstance>> recorded_;  // by service@release
  supervisor::Supervisor supervisor_;
};
}  // namespace baton
