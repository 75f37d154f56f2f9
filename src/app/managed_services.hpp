#pragma once
// Runs the managed services of a config under the supervisor and keeps the
// proxy's route table in step: an instance takes traffic once it is ready and
// leaves rotation before it is stopped or as soon as it exits.
#include <expected>
#include <filesystem>
#include <map>
#include <string>

#include "config/config.hpp"
#include "net/asio.hpp"
#include "proxy/proxy_server.hpp"
#include "supervisor/supervisor.hpp"

namespace baton {
class ManagedServices {
 public:
  // Everything runs on `executor` (the control plane's single thread).
  ManagedServices(asio::any_io_executor executor, const Config& config, proxy::ProxyServer& server,
                  std::filesystem::path log_dir);

  // Starts every managed service; the first failure is returned (the others keep running).
  awaitable<std::expected<void, std::string>> start_all();
  awaitable<void> stop_all();

  std::vector<supervisor::InstanceStatus> status() const { return supervisor_.status(); }
  // The proxy's counters for the instance on `port`, when it has taken traffic.
  const TargetCounters* counters_for(std::uint16_t port);

 private:
  void on_event(const supervisor::InstanceEvent& event);
  void publish_routes();
  supervisor::ServiceSpec spec_for(const ServiceConfig& service) const;

  const Config& config_;
  proxy::ProxyServer& server_;
  std::filesystem::path log_dir_;
  // Ready instances: service -> instance index -> port.
  std::map<std::string, std::map<unsigned, std::uint16_t>, std::less<>> ready_;
  supervisor::Supervisor supervisor_;
};
}  // namespace baton
