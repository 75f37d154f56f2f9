#pragma once
// The one place the running daemon's configuration changes. `baton apply FILE`, `baton start
// NAME -- CMD` (a registered service) and `baton delete NAME` each build a whole new config and
// go through apply(): validate, refuse while a service it touches is deploying, bind new
// listeners (all or none), record it, switch the routes, then start, drain and stop, deploy or
// scale what changed. A removed service takes no deploy from the switch on. Whatever is refused before the switch changes nothing. Control thread only.
#include <expected>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/config_plan.hpp"
#include "config/config.hpp"
#include "net/asio.hpp"
#include "state/sqlite.hpp"

namespace baton {
class ServiceRuntime;
class StateRecorder;
namespace deploy {
class Deployer;
class DeployRun;
}  // namespace deploy
namespace proxy {
class ProxyServer;
}

struct ApplyError {
  unsigned status = 400;  // 400: invalid input; 404: no such service; 409: conflicts with what runs; 500: state
  std::string message;
};

struct ApplyResult {
  ConfigPlan plan;
  std::vector<std::pair<std::string, std::shared_ptr<deploy::DeployRun>>> runs;  // deploys and scales it started
  std::vector<std::pair<std::string, std::string>> failed;  // service, why it did not start
};
using Applied = std::expected<ApplyResult, ApplyError>;

// What the daemon runs: the file (path and text as applied; both empty without one) and the
// registered services' TOML keys by name.
struct ConfigSourcesState {
  std::string path;
  std::string text;
  std::map<std::string, std::string> registered;
};

// The config those sources make (an empty one without a file is fine, a file must serve something).
std::expected<Config, std::string> parse_sources(const ConfigSourcesState& sources);

class ConfigApplier {
 public:
  // `sources` produced `running`, the config the runtime was built with.
  ConfigApplier(ServiceRuntime& runtime, deploy::Deployer& deployer, proxy::ProxyServer& server, StateRecorder& state,
                ConfigSourcesState sources);

  // The file deploys re-read for a service's spec; empty when the daemon has none.
  const std::string& config_path() const { return sources_.path; }
  bool registered(const std::string& name) const { return sources_.registered.contains(name); }

  // Brings the running daemon to `to` (at startup: from nothing to the loaded config).
  awaitable<Applied> apply(std::shared_ptr<const Config> to);
  awaitable<Applied> apply_file(const std::string& path, const std::string& text);
  awaitable<Applied> register_service(const std::string& name, const std::string& toml_keys);
  awaitable<Applied> delete_service(const std::string& name);

 private:
  using Persist = std::function<state::Status()>;
  std::expected<std::shared_ptr<const Config>, ApplyError> parse(const ConfigSourcesState& sources) const;
  awaitable<Applied> change(std::shared_ptr<const Config> to, const Persist& persist);
  awaitable<Applied> change_sources(ConfigSourcesState next, Persist persist);
  std::expected<void, ApplyError> check_idle(const ConfigPlan& plan) const;
  std::vector<Address> listen_addresses(const Config& config) const;
  std::vector<Address> targets_of(const std::string& service) const;
  awaitable<void> retire(const std::string& service, std::vector<Address> targets, Millis drain_timeout);
  awaitable<void> start_added(const Config& to, ApplyResult& result);
  void start_changes(const Config& to, ApplyResult& result);

  ServiceRuntime& runtime_;
  deploy::Deployer& deployer_;
  proxy::ProxyServer& server_;
  StateRecorder& state_;
  ConfigSourcesState sources_;
  bool applying_ = false;
};
}  // namespace baton
