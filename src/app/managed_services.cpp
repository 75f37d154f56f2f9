#include "app/managed_services.hpp"

#include "base/log.hpp"

namespace baton {
ManagedServices::ManagedServices(asio::any_io_executor executor, const Config& config, proxy::ProxyServer& server,
                                 std::filesystem::path log_dir)
    : config_(config),
      server_(server),
      log_dir_(std::move(log_dir)),
      supervisor_(std::move(executor), [this](const supervisor::InstanceEvent& e) { on_event(e); }) {}

supervisor::ServiceSpec ManagedServices::spec_for(const ServiceConfig& service) const {
  supervisor::ServiceSpec spec;
  spec.name = service.name;
  spec.command = service.command;
  spec.command_is_line = service.command_is_shell_string;
  spec.cwd = service.cwd;
  spec.env = service.env;
  spec.instances = service.instances;
  spec.socket_activation = service.socket_activation;
  spec.stop_signal = service.stop_signal;
  spec.stop_timeout = service.stop_timeout;
  spec.max_memory = service.max_memory;
  spec.log_file = log_dir_ / (service.name + ".log");
  return spec;
}

awaitable<std::expected<void, std::string>> ManagedServices::start_all() {
  for (const auto& [name, service] : config_.services) {
    if (!service.managed()) continue;
    auto started = co_await supervisor_.start(spec_for(service));
    if (!started) co_return std::unexpected(name + ": " + started.error());
    log::info("event=service_started service={} instances={}", name, service.instances);
  }
  co_return std::expected<void, std::string>{};
}

awaitable<void> ManagedServices::stop_all() {
  co_await supervisor_.stop_all();
}

void ManagedServices::on_event(const supervisor::InstanceEvent& event) {
  auto& ready = ready_[event.service];
  if (event.kind == supervisor::InstanceEvent::Kind::ready) {
    ready[event.index] = event.port;
    log::info("event=instance_ready service={} instance={} pid={} port={}", event.service, event.index, event.pid,
              event.port);
  } else {
    ready.erase(event.index);
    log::info("event=instance_down service={} instance={} pid={}", event.service, event.index, event.pid);
  }
  publish_routes();
}

const TargetCounters* ManagedServices::counters_for(std::uint16_t port) {
  if (port == 0) return nullptr;
  // The registry keeps the target while a table has it; this call is on the
  // control thread, the only one that prunes it.
  auto target = server_.target(Address{Address::Kind::tcp, "127.0.0.1", port, {}});
  return target ? &target->counters : nullptr;
}

void ManagedServices::publish_routes() {
  proxy::RuntimeRoutes routes;
  for (const auto& [service, instances] : ready_) {
    auto& targets = routes[service].targets;
    for (const auto& [index, port] : instances)
      targets.push_back({Address{Address::Kind::tcp, "127.0.0.1", port, {}}, ""});
  }
  server_.publish(proxy::build_route_table(config_, server_.registry(), routes));
}
}  // namespace baton
