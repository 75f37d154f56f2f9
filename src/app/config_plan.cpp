#include "app/config_plan.hpp"

namespace baton {
namespace {
// What a release's processes (or targets) are: a change needs new instances.
bool same_release_shape(const ServiceConfig& a, const ServiceConfig& b) {
  return a.command == b.command && a.command_is_shell_string == b.command_is_shell_string && a.cwd == b.cwd &&
         a.env == b.env && a.secret_env == b.secret_env && a.socket_activation == b.socket_activation && a.targets == b.targets &&
         a.worker == b.worker && a.notify == b.notify && a.watchdog == b.watchdog && a.min_uptime == b.min_uptime &&
         a.health == b.health && a.health_configured == b.health_configured && a.user == b.user &&
         a.group == b.group && a.memory_max == b.memory_max && a.cpu_max == b.cpu_max;
}

bool same_routing(const ServiceConfig& a, const ServiceConfig& b) {
  return a.listen == b.listen && a.hosts == b.hosts && a.path == b.path && a.balance == b.balance &&
         a.access_log == b.access_log && a.retries == b.retries && a.timeouts == b.timeouts && a.limits == b.limits &&
         a.underscores_in_headers == b.underscores_in_headers;
}

// Settings applied to the next start or stop of an instance, or the next deploy: no action now.
bool same_process_handling(const ServiceConfig& a, const ServiceConfig& b) {
  return a.stop_signal == b.stop_signal && a.stop_timeout == b.stop_timeout && a.max_memory == b.max_memory &&
         a.deploy == b.deploy && a.logs == b.logs && a.restart == b.restart && a.restart_delay == b.restart_delay &&
         a.max_restart_delay == b.max_restart_delay && a.cron_restart == b.cron_restart;
}

void plan_service(const std::string& name, const ServiceConfig& from, const ServiceConfig& to, ConfigPlan& plan) {
  if (from.managed() != to.managed()) {  // run by Baton, or by someone else: a different service
    plan.removed.push_back(name);
    plan.added.push_back(name);
  } else if (!same_release_shape(from, to)) {
    plan.redeployed.push_back(name);
  } else if (from.instances != to.instances && to.managed()) {
    plan.rescaled.push_back(name);
  } else if (!same_routing(from, to) || !same_process_handling(from, to)) {
    plan.rerouted.push_back(name);
  }
}

bool same_site(const SiteConfig& a, const SiteConfig& b) {
  return a.root == b.root && a.listen == b.listen && a.hosts == b.hosts && a.path == b.path && a.keep == b.keep &&
         a.spa == b.spa && a.not_found == b.not_found && a.require_index == b.require_index &&
         a.access_log == b.access_log;
}

void plan_proxy(const ProxyConfig& from, const ProxyConfig& to, ConfigPlan& plan) {
  auto note = [&](bool same, const char* key) {
    if (!same) plan.restart_required.push_back(key);
  };
  note(from.threads == to.threads, "proxy.threads");
  note(from.upstream_pool_size == to.upstream_pool_size, "proxy.upstream_pool_size");
  note(from.max_connections == to.max_connections, "proxy.max_connections");
  // Services inherit these and get them at once; the proxy's own use (reading a request head
  // before a service is known, the send timeout) keeps the values it started with.
  note(from.timeouts == to.timeouts, "proxy.timeouts");
  note(from.limits == to.limits, "proxy.limits");
}
}  // namespace

bool ConfigPlan::empty() const {
  return added.empty() && removed.empty() && redeployed.empty() && rescaled.empty() && rerouted.empty() &&
         sites_changed.empty() && restart_required.empty() && !log_level_changed &&
         !logs_changed;
}

ConfigPlan plan_changes(const Config& from, const Config& to) {
  ConfigPlan plan;
  for (const auto& [name, service] : to.services) {
    auto old = from.services.find(name);
    if (old == from.services.end()) plan.added.push_back(name);
    else plan_service(name, old->second, service, plan);
  }
  for (const auto& [name, service] : from.services)
    if (!to.services.contains(name)) plan.removed.push_back(name);
  for (const auto& [name, site] : to.sites) {
    auto old = from.sites.find(name);
    if (old == from.sites.end() || !same_site(old->second, site)) plan.sites_changed.push_back(name);
  }
  for (const auto& [name, site] : from.sites)
    if (!to.sites.contains(name)) plan.sites_changed.push_back(name);
  plan_proxy(from.proxy, to.proxy, plan);
  if (from.control != to.control) plan.restart_required.push_back("control");
  plan.log_level_changed = from.log_level != to.log_level;
  plan.logs_changed = from.logs != to.logs;
  return plan;
}
}  // namespace baton
