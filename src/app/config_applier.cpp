#include "app/config_applier.hpp"

#include <fmt/format.h>

#include "app/service_runtime.hpp"
#include "app/state_recorder.hpp"
#include "app/systemd.hpp"
#include "base/log.hpp"
#include "config/loader.hpp"
#include "deploy/deployer.hpp"
#include "proxy/proxy_server.hpp"

namespace baton {
namespace {
constexpr std::string_view kNoFile = "(no config file)";

// Marks an apply as running for its whole life, so a second one is refused instead of interleaved.
class ApplyingFlag {
 public:
  explicit ApplyingFlag(bool& flag) : flag_(flag) { flag_ = true; }
  ~ApplyingFlag() { flag_ = false; }
  ApplyingFlag(const ApplyingFlag&) = delete;
  ApplyingFlag& operator=(const ApplyingFlag&) = delete;

 private:
  bool& flag_;
};

Applied refused(unsigned status, std::string message) { return std::unexpected(ApplyError{status, std::move(message)}); }
}  // namespace

ConfigApplier::ConfigApplier(ServiceRuntime& runtime, deploy::Deployer& deployer, proxy::ProxyServer& server,
                             StateRecorder& state, ConfigSourcesState sources)
    : runtime_(runtime), deployer_(deployer), server_(server), state_(state), sources_(std::move(sources)) {}

std::expected<Config, std::string> parse_sources(const ConfigSourcesState& sources) {
  return parse_config(ConfigSources{.text = sources.text,
                                    .source_name = sources.path.empty() ? kNoFile : sources.path,
                                    .registered = &sources.registered,
                                    .allow_empty = sources.path.empty()});
}

std::expected<std::shared_ptr<const Config>, ApplyError> ConfigApplier::parse(const ConfigSourcesState& sources) const {
  auto config = parse_sources(sources);
  if (!config) return std::unexpected(ApplyError{400, config.error()});
  return std::make_shared<const Config>(std::move(*config));
}

awaitable<Applied> ConfigApplier::apply_file(const std::string& path, const std::string& text) {
  auto next = sources_;
  next.path = path;
  next.text = text;
  auto& store = state_.config_store();
  // `baton apply` is Baton's reload: systemd shows the unit reloading meanwhile.
  notify_systemd_reloading("applying " + path);
  auto applied =
      co_await change_sources(std::move(next), [&] { return store.save_applied({.path = path, .text = text}); });
  notify_systemd_serving(runtime_.config().services.size());
  co_return applied;
}

awaitable<Applied> ConfigApplier::register_service(const std::string& name, const std::string& toml_keys) {
  if (runtime_.config().services.contains(name) || runtime_.config().sites.contains(name)) {
    auto where = registered(name) ? std::string("registered") : "in " + sources_.path;
    co_return refused(409, fmt::format("there is already a service '{}' ({}): pick another name, or deploy it with "
                                       "'baton deploy {}'",
                                       name, where, name));
  }
  auto next = sources_;
  next.registered[name] = toml_keys;
  auto& store = state_.config_store();
  co_return co_await change_sources(std::move(next), [&] { return store.save_registered(name, toml_keys); });
}

awaitable<Applied> ConfigApplier::delete_service(const std::string& name) {
  if (!registered(name)) {
    if (runtime_.config().services.contains(name))
      co_return refused(409, fmt::format("'{}' comes from {}: remove its [services.{}] table there, then run "
                                         "'baton apply {}'",
                                         name, sources_.path, name, sources_.path));
    co_return refused(404, fmt::format("no service named '{}' (see 'baton ls')", name));
  }
  auto next = sources_;
  next.registered.erase(name);
  auto& store = state_.config_store();
  co_return co_await change_sources(std::move(next), [&] { return store.remove_registered(name); });
}

// The sources become `next` only when the config they make was applied.
awaitable<Applied> ConfigApplier::change_sources(ConfigSourcesState next, Persist persist) {
  auto to = parse(next);
  if (!to) co_return std::unexpected(to.error());
  auto applied = co_await change(*to, persist);
  if (applied) sources_ = std::move(next);
  co_return applied;
}

awaitable<Applied> ConfigApplier::apply(std::shared_ptr<const Config> to) { co_return co_await change(std::move(to), {}); }

awaitable<Applied> ConfigApplier::change(std::shared_ptr<const Config> to, const Persist& persist) {
  if (applying_) co_return refused(409, "another change of the configuration is running: wait for it to end");
  ApplyingFlag applying(applying_);
  ApplyResult result{.plan = plan_changes(runtime_.config(), *to), .runs = {}, .failed = {}};
  if (auto idle = check_idle(result.plan); !idle) co_return std::unexpected(idle.error());
  if (auto opened = server_.open_listeners(listen_addresses(*to)); !opened)
    co_return refused(409, "cannot listen, nothing was changed: " + opened.error());
  if (persist) {
    if (auto saved = persist(); !saved) {
      runtime_.set_config(runtime_.shared_config());  // closes the listeners just opened
      co_return refused(500, "cannot record the new configuration, nothing was changed: " + saved.error());
    }
  }
  std::map<std::string, std::pair<std::vector<Address>, Millis>> leaving;
  for (const auto& name : result.plan.removed) {
    leaving[name] = {targets_of(name), runtime_.config().services.at(name).deploy.drain_timeout};
    deployer_.begin_removal(name);  // a deploy arriving during its drain is refused
  }
  runtime_.set_config(to);
  if (result.plan.log_level_changed) log::set_level(to->log_level);
  for (auto& [name, targets] : leaving) co_await retire(name, std::move(targets.first), targets.second);
  co_await start_added(*to, result);
  start_changes(*to, result);
  co_return result;
}

std::expected<void, ApplyError> ConfigApplier::check_idle(const ConfigPlan& plan) const {
  for (const auto* names : {&plan.removed, &plan.redeployed, &plan.rescaled})
    for (const auto& name : *names)
      if (deployer_.running(name))
        return std::unexpected(ApplyError{409, fmt::format("{} has a deploy running: wait for it to end (baton ls "
                                                           "{}), then apply again; nothing was changed",
                                                           name, name)});
  return {};
}

std::vector<Address> ConfigApplier::listen_addresses(const Config& config) const {
  std::vector<Address> out;
  for (const auto& [name, service] : config.services)
    if (!service.worker) out.push_back(service.listen);
  for (const auto& [name, site] : config.sites) out.push_back(site.listen);
  return out;
}

std::vector<Address> ConfigApplier::targets_of(const std::string& service) const {
  std::vector<Address> out;
  const auto* releases = deployer_.releases(service);
  if (!releases) return out;
  for (const auto& release : *releases)
    for (const auto& instance : runtime_.instances(service, release.id)) out.push_back(instance.address);
  return out;
}

// Its routes are already gone: requests in flight finish (up to its drain timeout), then it stops.
awaitable<void> ConfigApplier::retire(const std::string& service, std::vector<Address> targets, Millis drain_timeout) {
  auto drained = co_await runtime_.drain(targets, drain_timeout);
  co_await deployer_.remove_service(service);
  state_.forget_service(service);
  log::info("event=service_removed service={} drained={} cut={}", service, drained.drained, drained.cut);
}

awaitable<void> ConfigApplier::start_added(const Config& to, ApplyResult& result) {
  for (const auto& name : result.plan.added) {
    auto spec = deploy::spec_from_config(to.services.at(name));
    auto history = state_.load_service(name, spec);
    std::expected<void, std::string> added = std::unexpected(history ? "" : history.error());
    // Not in a conditional expression: GCC 12 miscompiles co_await inside one.
    if (history) added = co_await deployer_.add_service(name, spec, std::move(*history));
    if (!added) {
      log::error("event=service_failed service={} error=\"{}\"", name, added.error());
      result.failed.emplace_back(name, added.error());
      continue;
    }
    const auto* live = deployer_.live(name);
    log::info("event=service_started service={} release={} instances={}", name, live->id, live->spec.size());
  }
}

void ConfigApplier::start_changes(const Config& to, ApplyResult& result) {
  auto started = [&](const std::string& name, std::expected<std::shared_ptr<deploy::DeployRun>, std::string> run) {
    if (run) result.runs.emplace_back(name, std::move(*run));
    else result.failed.emplace_back(name, run.error());
  };
  for (const auto& name : result.plan.redeployed)
    started(name, deployer_.deploy({.service = name, .spec = deploy::spec_from_config(to.services.at(name)),
                                    .version = {}, .strategy = std::nullopt, .who = "apply"}));
  for (const auto& name : result.plan.rescaled)
    started(name, deployer_.scale({.service = name, .instances = to.services.at(name).instances, .kind = "scale",
                                   .who = "apply"}));
}
}  // namespace baton
