#include "config/loader.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config/control_reader.hpp"
#include "config/logs_reader.hpp"
#include "config/deploy_reader.hpp"
#include "config/env_reader.hpp"
#include "config/health_reader.hpp"
#include "config/route_reader.hpp"
#include "config/service_rules.hpp"
#include "config/site_reader.hpp"
#include "config/table_reader.hpp"
#include "config/toml_guard.hpp"
#include "config/restart_reader.hpp"
#include "config/worker_reader.hpp"
#include "config/user_limits_reader.hpp"

namespace baton {
namespace {
using config_detail::LocatedEntry;
using config_detail::LocatedString;
using config_detail::Problems;
using config_detail::Range;
using config_detail::TableReader;

// Bounds that catch typos and nonsense values; none of them is tuning advice.
constexpr Range<std::uint32_t> kThreadsRange{0, 256};
constexpr Range<std::uint32_t> kUpstreamPoolSizeRange{0, 10'000};
constexpr Range<std::uint32_t> kProxyConnectionsRange{1, 10'000'000};
constexpr Range<std::uint32_t> kRetriesRange{0, 10};
constexpr Range<std::uint32_t> kMaxHeaderCountRange{1, 10'000};
constexpr Range<std::uint64_t> kMaxRequestLineRange{256, 1 << 20};
constexpr Range<std::uint64_t> kMaxHeaderBytesRange{1 << 10, 16 << 20};
constexpr Range<std::uint64_t> kMaxFieldBytesRange{256, 1 << 20};
constexpr Range<std::uint64_t> kMaxBodyRange{1, UINT64_MAX};
constexpr Range<std::uint32_t> kInstancesRange{1, 256};
// Less than this is surely a number meant in another unit: every instance would restart at once.
constexpr Range<std::uint64_t> kMaxMemoryRange{1 << 20, UINT64_MAX};
constexpr std::array<std::string_view, 7> kLogLevels = {"trace", "debug",    "info", "warn",
                                                        "error", "critical", "off"};
constexpr std::array<std::string_view, 2> kBalancePolicies = {"round_robin", "least_conn"};
// Keys that only mean something for a service Baton runs.
constexpr std::array<std::string_view, 31> kManagedOnlyKeys = {
    "instances", "cwd", "env", "stop_signal", "stop_timeout", "max_memory", "socket_activation",
    "min_uptime", "notify", "watchdog", "user", "group", "memory_max", "cpu_max",
    "env_file", "secret_env", "secret_env_file", "log_per_instance", "log_max_size", "log_max_files",
    "autorestart", "stop_exit_codes", "max_restarts", "restart_window", "restart_delay", "max_restart_delay",
    "cron_restart", "build", "build_timeout", "keep", "shared"};

void read_timeouts(TableReader& parent, Timeouts& timeouts) {
  auto r = parent.child("timeouts");
  if (!r) return;
  r->allow_only({"header", "keepalive", "connect", "response", "body", "send", "upstream_idle", "websocket_idle"});
  r->read_duration("header", timeouts.header);
  r->read_duration("keepalive", timeouts.keepalive);
  r->read_duration("connect", timeouts.connect);
  r->read_duration("response", timeouts.response);
  r->read_duration("body", timeouts.body);
  r->read_duration("send", timeouts.send);
  r->read_duration("upstream_idle", timeouts.upstream_idle);
  r->read_duration("websocket_idle", timeouts.websocket_idle);
}

void read_limits(TableReader& parent, Limits& limits) {
  auto r = parent.child("limits");
  if (!r) return;
  r->allow_only({"max_request_line", "max_header_bytes", "max_header_count", "max_field_bytes", "max_body"});
  r->read_size("max_request_line", limits.max_request_line, kMaxRequestLineRange);
  r->read_size("max_header_bytes", limits.max_header_bytes, kMaxHeaderBytesRange);
  r->read("max_header_count", limits.max_header_count, kMaxHeaderCountRange);
  r->read_size("max_field_bytes", limits.max_field_bytes, kMaxFieldBytesRange);
  std::uint64_t max_body = 0;
  if (r->read_size("max_body", max_body, kMaxBodyRange)) limits.max_body = max_body;
}

void read_proxy(TableReader& root, ProxyConfig& proxy) {
  auto r = root.child("proxy");
  if (!r) return;
  r->allow_only({"threads", "shutdown_timeout", "upstream_pool_size", "max_connections", "access_log", "timeouts",
                 "limits"});
  r->read("threads", proxy.threads, kThreadsRange);
  r->read_duration("shutdown_timeout", proxy.shutdown_timeout);
  r->read("upstream_pool_size", proxy.upstream_pool_size, kUpstreamPoolSizeRange);
  r->read("max_connections", proxy.max_connections, kProxyConnectionsRange);
  r->read("access_log", proxy.access_log);
  read_timeouts(*r, proxy.timeouts);
  read_limits(*r, proxy.limits);
}

void read_targets(TableReader& r, ServiceConfig& service) {
  std::vector<LocatedString> targets;
  if (!r.read_strings("targets", targets)) return;
  if (targets.empty()) return r.fail_at("targets", "must list at least one address");
  for (const auto& target : targets) {
    auto address = parse_address(target.text);
    if (!address) return r.fail_value(target.line, "targets", address.error());
    if (address->kind == Address::Kind::tcp && address->port == 0)
      return r.fail_value(target.line, "targets", fmt::format("'{}' has port 0", target.text));
    if (std::ranges::find(service.targets, *address) != service.targets.end())
      return r.fail(target.line,
                    fmt::format("{} lists '{}' twice", r.describe("targets"), address->text()));
    service.targets.push_back(std::move(*address));
  }
}

bool has_nul(std::string_view text) { return text.find('\0') != text.npos; }

void read_command(TableReader& r, ServiceConfig& service) {
  config_detail::read_command_line(r, "command", service.command, service.command_is_shell_string);
}

void read_cwd(TableReader& r, ServiceConfig& service) {
  std::string cwd;
  if (!r.read("cwd", cwd)) return;
  if (auto problem = config_detail::cwd_problem(cwd)) return r.fail_at("cwd", *problem);
  service.cwd = std::move(cwd);
}

void read_env(TableReader& r, ServiceConfig& service) {
  std::vector<LocatedEntry> entries;
  if (!r.read_string_table("env", entries)) return;
  for (auto& entry : entries) {
    if (auto problem = config_detail::env_name_problem(entry.key))
      return r.fail_value(entry.line, "env", *problem);
    if (has_nul(entry.value))
      return r.fail_value(entry.line, "env",
                          fmt::format("'{}' must not contain a NUL character", entry.key));
    service.env.emplace_back(std::move(entry.key), std::move(entry.value));
  }
}

void read_stop_signal(TableReader& r, ServiceConfig& service) {
  std::string name;
  if (!r.read("stop_signal", name)) return;
  if (auto number = config_detail::stop_signal_number(name)) {
    service.stop_signal = *number;
    return;
  }
  auto allowed = config_detail::stop_signal_names();
  std::string message = fmt::format("{} must be one of ", r.describe("stop_signal"));
  for (auto choice : allowed) message += fmt::format("'{}', ", choice);
  message += fmt::format("not '{}'", name);
  std::string_view bare = name;
  if (bare.starts_with("SIG")) bare.remove_prefix(3);
  if (auto guess = config_detail::closest_match(bare, allowed))
    message += fmt::format(" (did you mean '{}'?)", *guess);
  r.fail(r.line_of("stop_signal"), message);
}

// A managed service: what to run and how.
void read_managed(TableReader& r, ServiceConfig& service) {
  read_command(r, service);
  r.read("instances", service.instances, kInstancesRange);
  read_cwd(r, service);
  read_env(r, service);
  config_detail::read_env_sources(r, service);
  read_stop_signal(r, service);
  r.read_duration("stop_timeout", service.stop_timeout);
  std::uint64_t max_memory = 0;
  if (r.read_size("max_memory", max_memory, kMaxMemoryRange)) service.max_memory = max_memory;
  r.read("socket_activation", service.socket_activation);
  config_detail::read_user_and_limits(r, service);
  config_detail::read_service_logs(r, service.logs);
  config_detail::read_restart_policy(r, service);
}

// Where the service's requests go: `targets` that run elsewhere, or instances of `command`.
void read_backend(TableReader& r, ServiceConfig& service) {
  bool has_targets = r.has("targets");
  bool has_command = r.has("command");
  if (has_targets && has_command) {
    bool command_later = r.line_of("command") >= r.line_of("targets");
    std::string_view later = command_later ? "command" : "targets";
    std::string_view earlier = command_later ? "targets" : "command";
    return r.fail(r.line_of(later),
                  fmt::format("{} cannot go with '{}': a service has either targets (external) "
                              "or command (managed), not both", r.describe(later), earlier));
  }
  if (!has_targets && !has_command)
    return r.fail(r.line(), fmt::format("missing key 'targets' or 'command' {}: add targets (the "
                                        "addresses of a service that runs elsewhere) or command "
                                        "(for Baton to run the service)", r.place()));
  if (has_command) return read_managed(r, service);
  // The first managed-only key in the file, so the error points at the line to change.
  std::optional<std::string_view> misplaced;
  for (auto key : kManagedOnlyKeys)
    if (r.has(key) && (!misplaced || r.line_of(key) < r.line_of(*misplaced))) misplaced = key;
  if (misplaced)
    return r.fail_at(*misplaced, "is only for a managed service (one with command), not one "
                                 "with targets");
  read_targets(r, service);
}

void read_balance(TableReader& r, ServiceConfig& service) {
  std::string name;
  if (!r.read("balance", name) || !r.check_choice("balance", name, kBalancePolicies)) return;
  service.balance = name == "least_conn" ? BalancePolicy::least_conn : BalancePolicy::round_robin;
}

// Only a managed service may leave `listen` out: it is then a worker, which takes no requests.
void read_listen_unless_worker(TableReader& r, ServiceConfig& service) {
  if (r.has("listen")) return config_detail::read_listen(r, service.listen);
  if (r.has("command")) {
    service.worker = true;
    return;
  }
  r.fail(r.line(), fmt::format("missing key 'listen' {}: the address its clients connect to (only a service "
                               "with command may leave it out, as a worker that takes no requests)",
                               r.place()));
}

// Services start from the [proxy] defaults and override single fields.
ServiceConfig read_service(TableReader& r, std::string name, const ProxyConfig& proxy) {
  r.allow_only({"listen", "hosts", "path", "targets", "balance", "access_log", "retries", "underscores_in_headers",
                "timeouts", "limits", "command", "instances", "cwd", "env", "stop_signal",
                "stop_timeout", "max_memory", "socket_activation", "health", "strategy",
                "max_surge", "standby_ttl", "drain_timeout", "deploy_timeout", "max_pause",
                "max_paused_requests", "version_affinity", "pre_deploy", "smoke", "post_deploy",
                "hook_timeout", "canary_steps", "canary_interval", "max_error_rate", "max_p99_ratio",
                "p99_floor", "min_requests", "max_window_extensions", "too_few_requests", "watch",
                "min_uptime", "notify", "watchdog", "user", "group", "memory_max", "cpu_max",
                "env_file", "secret_env", "secret_env_file", "log_per_instance", "log_max_size", "log_max_files",
                "autorestart", "stop_exit_codes", "max_restarts", "restart_window", "restart_delay",
                "max_restart_delay", "cron_restart", "build", "build_timeout", "keep", "shared"});
  ServiceConfig service;
  service.name = std::move(name);
  service.access_log = proxy.access_log;
  service.timeouts = proxy.timeouts;
  service.limits = proxy.limits;
  read_listen_unless_worker(r, service);
  config_detail::read_hosts(r, service.hosts);
  config_detail::read_path(r, service.path);
  read_backend(r, service);
  read_balance(r, service);
  r.read("access_log", service.access_log);
  r.read("retries", service.retries, kRetriesRange);
  r.read("underscores_in_headers", service.underscores_in_headers);
  read_timeouts(r, service.timeouts);
  read_limits(r, service.limits);
  config_detail::read_deploy(r, service.deploy);
  // A canary's share is steered between instances Baton runs; external targets switch at once.
  if (service.deploy.strategy == Strategy::canary && !service.managed())
    r.fail_at("strategy", "\"canary\" needs a service with a command: an external service's targets switch at once");
  config_detail::read_health(r, service);
  config_detail::read_worker(r, service);
  return service;
}

struct ServiceAt {
  std::string name;
  std::size_t line;
};

// Services in the order they appear in the file (toml++ sorts keys), so an
// error about a clash points at the later of the two.
std::vector<ServiceAt> services_in_file_order(const toml::table& services) {
  std::vector<ServiceAt> order;
  for (auto&& [key, node] : services)
    order.push_back({std::string(key.str()), node.source().begin.line});
  std::ranges::stable_sort(order, {}, &ServiceAt::line);
  return order;
}

// Two services answering the same (listener, host, path) would make routing
// depend on table order.
void check_routes_unique(TableReader& services, const Config& config) {
  std::map<std::tuple<std::string, std::string, std::string>, std::string> owners;
  for (const auto& [name, line] : services_in_file_order(services.table())) {
    const ServiceConfig& service = config.services.at(name);
    if (service.worker) continue;  // no route
    // An empty host stands for "any host".
    auto hosts = service.hosts.empty() ? std::vector<std::string>{""} : service.hosts;
    for (const auto& host : hosts) {
      auto [it, inserted] = owners.try_emplace({service.listen.text(), host, service.path}, name);
      if (inserted) continue;
      return services.fail(line, fmt::format(
          "service '{}' has the same route as service '{}' (listen {}, host {}, path {})", name,
          it->second, service.listen.text(), host.empty() ? "any" : host, service.path));
    }
  }
}

void read_services(TableReader& root, Config& config, bool allow_empty) {
  constexpr std::string_view kHint = "no services: add a [services.NAME] table (or a [sites.NAME] table)";
  if (!root.has("services")) {
    if (!root.has("sites") && !allow_empty) root.fail(root.line(), kHint);
    return;
  }
  auto services = root.child("services");
  if (!services) return;
  if (services->table().empty() && !allow_empty) return services->fail(services->line(), kHint);
  for (auto&& [key, node] : services->table()) {
    std::string name(key.str());
    if (!config_detail::is_valid_service_name(name))
      return services->fail(key.source().begin.line,
                            fmt::format("service name '{}' must be 1 to 64 letters, digits, "
                                        "'_' or '-'", name));
    auto r = services->child(name);
    if (!r) return;
    config.services.emplace(name, read_service(*r, name, config.proxy));
    if (r->failed()) return;
  }
  check_routes_unique(*services, config);
}

void read_root(TableReader& root, Config& config, bool allow_empty) {
  root.allow_only({"log_level", "proxy", "control", "services", "sites", "logs"});
  if (root.read("log_level", config.log_level))
    root.check_choice("log_level", config.log_level, kLogLevels);
  read_proxy(root, config.proxy);
  config_detail::read_control(root, config.control);
  config_detail::read_logs(root, config.logs);
  read_services(root, config, allow_empty);
  if (!root.failed()) config_detail::read_sites(root, config);
}

std::expected<std::string, std::string> read_file(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error))
    return std::unexpected(fmt::format("{}: cannot read: it is a directory", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    return std::unexpected(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  return text.str();
}

// The TOML document of `text`, or a problem reported.
std::optional<toml::table> parse_document(std::string_view text, std::string_view source_name, Problems& problems) {
  if (auto unsafe = config_detail::find_unsafe_text(text)) {
    problems.report(unsafe->line, fmt::format("invalid TOML: {}", unsafe->what));
    return std::nullopt;
  }
  try {
    return toml::parse(text, source_name);
  } catch (const toml::parse_error& error) {
    const auto& where = error.source().begin;
    auto message = fmt::format("invalid TOML at column {}: {}", where.column, error.description());
    problems.report(std::max<std::size_t>(1, where.line), message);
    return std::nullopt;
  }
}

// Adds each registered service as document.services.NAME; a name the file has too is an error.
std::expected<void, std::string> merge_registered(toml::table& document, const std::map<std::string, std::string>& registered,
                                                  std::string_view source_name) {
  if (registered.empty()) return {};
  if (!document.contains("services")) document.insert("services", toml::table{});
  auto* services = document["services"].as_table();
  if (!services) return {};  // the reader reports what `services` is instead
  for (const auto& [name, keys] : registered) {
    if (services->contains(name))
      return std::unexpected(fmt::format("{}: service '{}' is also registered with 'baton start'; rename one, or "
                                         "run 'baton delete {}' first",
                                         source_name, name, name));
    auto snippet_name = fmt::format("registered service '{}'", name);
    Problems problems{snippet_name};
    auto snippet = parse_document(fmt::format("[services.{}]\n{}", name, keys), snippet_name, problems);
    if (!snippet) return std::unexpected(problems.first());
    services->insert(name, std::move(*(*snippet)["services"][name].as_table()));
  }
  return {};
}
}  // namespace

std::expected<Config, std::string> parse_config(const ConfigSources& sources) {
  Problems problems{std::string(sources.source_name)};
  auto document = sources.text.empty() && sources.allow_empty ? std::optional<toml::table>(toml::table{})
                                                               : parse_document(sources.text, sources.source_name, problems);
  if (!document) return std::unexpected(problems.first());
  if (sources.registered) {
    auto merged = merge_registered(*document, *sources.registered, sources.source_name);
    if (!merged) return std::unexpected(merged.error());
  }
  Config config;
  config.source = std::string(sources.source_name);
  TableReader root(*document, "", problems);
  read_root(root, config, sources.allow_empty);
  if (problems.any()) return std::unexpected(problems.first());
  return config;
}

std::expected<Config, std::string> parse_config(std::string_view toml_text, std::string_view source_name) {
  return parse_config(ConfigSources{.text = toml_text, .source_name = source_name});
}

std::expected<Config, std::string> load_config_file(const std::string& path) {
  auto text = read_file(path);
  if (!text) return std::unexpected(text.error());
  return parse_config(*text, path);
}
std::expected<std::string, std::string> read_config_text(const std::string& path) { return read_file(path); }
}  // namespace baton
