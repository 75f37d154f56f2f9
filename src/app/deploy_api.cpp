#include "app/deploy_api.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/api_json.hpp"
#include "config/loader.hpp"
#include "deploy/deployer.hpp"

namespace baton {
namespace {
using nlohmann::json;
constexpr unsigned kMaxInstances = 1000;
constexpr auto kKeepAliveEvery = std::chrono::seconds(1);

// The body's JSON object (an empty body is an empty object), or why not.
std::expected<json, std::string> body_object(const control::Request& request) {
  if (request.body().empty()) return json::object();
  auto body = json::parse(request.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object()) return std::unexpected("the body must be a JSON object");
  return body;
}

// Fields every action on a live service takes besides its own: detach (a boolean) and who (a string).
std::expected<void, std::string> check_common_fields(const json& body, std::string_view own) {
  for (const auto& [key, value] : body.items()) {
    if (key == "detach" && !value.is_boolean()) return std::unexpected("detach must be true or false");
    if (key == "who" && !value.is_string()) return std::unexpected("who must be a string");
    if (key != "detach" && key != "who" && key != own) return std::unexpected("unknown field '" + key + "'");
  }
  return {};
}

std::expected<void, std::string> apply_command(const json& value, deploy::ReleaseSpec& spec) {
  if (value.is_string() && !value.get<std::string>().empty()) {
    spec.command = {value.get<std::string>()};
    spec.command_is_line = true;
    return {};
  }
  if (!value.is_array() || value.empty()) return std::unexpected("command must be a string or a non-empty array");
  spec.command.clear();
  for (const auto& word : value) {
    if (!word.is_string()) return std::unexpected("command must be an array of strings");
    spec.command.push_back(word.get<std::string>());
  }
  spec.command_is_line = spec.command.size() == 1;
  return {};
}

std::expected<void, std::string> apply_env(const json& value, deploy::ReleaseSpec& spec) {
  if (!value.is_object()) return std::unexpected("env must be an object of strings");
  for (const auto& [key, v] : value.items()) {
    if (key.empty() || key.find('=') != std::string::npos || !v.is_string())
      return std::unexpected("env: '" + key + "' needs a name without '=' and a string value");
    auto same = std::find_if(spec.env.begin(), spec.env.end(), [&](const auto& e) { return e.first == key; });
    if (same != spec.env.end()) same->second = v.get<std::string>();
    else spec.env.emplace_back(key, v.get<std::string>());
  }
  return {};
}

std::expected<void, std::string> apply_targets(const json& value, deploy::ReleaseSpec& spec) {
  if (!value.is_array() || value.empty()) return std::unexpected("targets must be a non-empty array of addresses");
  if (!spec.external()) return std::unexpected("targets are for external services; this one runs a command");
  spec.targets.clear();
  spec.trust_targets = false;
  for (const auto& t : value) {
    auto address = t.is_string() ? parse_address(t.get<std::string>()) : std::unexpected(std::string("not a string"));
    if (!address) return std::unexpected("bad target " + t.dump() + ": " + address.error());
    spec.targets.push_back(*address);
  }
  return {};
}

std::expected<deploy::ReleaseSpec, std::string> fresh_spec(ApiContext& context, const std::string& service) {
  auto config = load_config_file(context.config_path);
  if (!config) return std::unexpected("the config file does not load, fix it first: " + config.error());
  auto found = config->services.find(service);
  if (found == config->services.end()) {
    const auto* live = context.deployer.live(service);
    if (!live) return std::unexpected("service '" + service + "' is not in " + context.config_path);
    return live->spec;
  }
  return deploy::spec_from_config(found->second);
}

std::expected<deploy::DeployRequest, std::string> deploy_request(const json& body, deploy::ReleaseSpec spec,
                                                                 const std::string& service) {
  deploy::DeployRequest request{.service = service};
  for (const auto& [key, value] : body.items()) {
    std::expected<void, std::string> applied;
    if (key == "command") applied = apply_command(value, spec);
    else if (key == "env") applied = apply_env(value, spec);
    else if (key == "targets") applied = apply_targets(value, spec);
    else if (key == "instances") {
      if (!value.is_number_unsigned() || value.get<unsigned>() < 1 || value.get<unsigned>() > kMaxInstances)
        return std::unexpected("instances must be a number from 1 to 1000");
      spec.instances = value.get<unsigned>();
    } else if (key == "cwd" || key == "version" || key == "strategy" || key == "who") {
      if (!value.is_string()) return std::unexpected(key + " must be a string");
      auto text = value.get<std::string>();
      if (key == "cwd") spec.cwd = text;
      else if (key == "version") request.version = text;
      else if (key == "who") request.who = text;
      else if (auto strategy = parse_strategy(text)) request.strategy = strategy;
      else return std::unexpected("unknown strategy '" + text + "': use rolling, blue-green or recreate");
    } else if (key == "detach" && !value.is_boolean()) {
      return std::unexpected("detach must be true or false");
    } else if (key != "detach") {
      return std::unexpected("unknown field '" + key + "'");
    }
    if (!applied) return std::unexpected(applied.error());
  }
  request.spec = std::move(spec);
  return request;
}

// Streams the run's events as JSON lines, then one last line with the outcome.
awaitable<void> follow(control::Reply& reply, std::shared_ptr<deploy::DeployRun> run) {
  co_await reply.begin_stream(200, "application/x-ndjson");
  std::size_t sent = 0;
  for (;;) {
    while (sent < run->events().size()) {
      auto line = event_json(run->events()[sent++]).dump() + "\n";
      co_await reply.write(line);
    }
    if (run->finished()) break;
    co_await run->wait_until(std::chrono::steady_clock::now() + kKeepAliveEvery);
  }
  json end{{"event", "end"},
           {"ok", run->ok()},
           {"kind", run->kind()},
           {"release", run->release()},
           {"elapsed_ms", run->elapsed().count()}};
  if (!run->ok()) end["reason"] = run->reason();
  co_await reply.write(end.dump() + "\n");
}

awaitable<void> answer(const control::Request& request, control::Reply& reply, const json& body,
                       std::expected<std::shared_ptr<deploy::DeployRun>, std::string> started) {
  if (!started) {
    auto response = api_error(request, 409, started.error());
    co_await reply.send(std::move(response));
    co_return;
  }
  if (body.contains("detach") && body["detach"].is_boolean() && body["detach"].get<bool>()) {
    json accepted{{"release", (*started)->release()}, {"kind", (*started)->kind()}};
    auto response = control::json_response(request, 202, accepted.dump());
    co_await reply.send(std::move(response));
    co_return;
  }
  co_await follow(reply, *started);
}
}  // namespace

awaitable<void> handle_deploy(const control::Request& request, control::Reply& reply, ApiContext& context,
                              const std::string& service) {
  auto body = body_object(request);
  std::expected<deploy::DeployRequest, std::string> parsed = std::unexpected(body ? "" : body.error());
  if (body) {
    auto spec = fresh_spec(context, service);
    parsed = spec ? deploy_request(*body, std::move(*spec), service) : std::unexpected(spec.error());
  }
  if (!parsed) {
    auto response = api_error(request, 400, parsed.error());
    co_await reply.send(std::move(response));
    co_return;
  }
  auto started = context.deployer.deploy(std::move(*parsed));
  co_await answer(request, reply, *body, std::move(started));
}

awaitable<void> handle_rollback(const control::Request& request, control::Reply& reply, ApiContext& context,
                                const std::string& service) {
  auto body = body_object(request);
  std::expected<void, std::string> fields = std::unexpected(body ? "" : body.error());
  if (body) fields = check_common_fields(*body, "to");
  if (fields && body->contains("to") && !(*body)["to"].is_string())
    fields = std::unexpected("to must be a release id like r3");
  if (!fields) {
    auto response = api_error(request, 400, fields.error());
    co_await reply.send(std::move(response));
    co_return;
  }
  deploy::RollbackRequest rollback{.service = service, .to = body->value("to", ""), .who = body->value("who", "")};
  auto started = context.deployer.rollback(std::move(rollback));
  co_await answer(request, reply, *body, std::move(started));
}

namespace {
// The instance count a scale, stop or start asks for, or why the body is wrong.
std::expected<unsigned, std::string> scale_count(const json& body, const std::string& action, unsigned config_count) {
  if (auto checked = check_common_fields(body, "instances"); !checked) return std::unexpected(checked.error());
  if (action == "stop") {
    if (body.contains("instances")) return std::unexpected("stop takes no instance count");
    return 0u;
  }
  if (!body.contains("instances")) {
    if (action == "start") return config_count;
    return std::unexpected("scale needs \"instances\": a number from 0 to 1000");
  }
  const auto& value = body["instances"];
  unsigned low = action == "start" ? 1 : 0;
  if (!value.is_number_unsigned() || value.get<unsigned>() < low || value.get<unsigned>() > kMaxInstances)
    return std::unexpected(fmt::format("instances must be a number from {} to {}", low, kMaxInstances));
  return value.get<unsigned>();
}
}  // namespace

awaitable<void> handle_scale(const control::Request& request, control::Reply& reply, ApiContext& context,
                             const std::string& service, const std::string& action) {
  auto body = body_object(request);
  std::expected<unsigned, std::string> count = std::unexpected(body ? "" : body.error());
  if (body) {
    const auto* live = context.deployer.live(service);
    unsigned config_count = live ? std::max(1u, live->spec.instances) : 1;
    if (auto config = load_config_file(context.config_path)) {
      if (auto found = config->services.find(service); found != config->services.end())
        config_count = found->second.instances;
    }
    count = scale_count(*body, action, config_count);
  }
  if (!count) {
    auto response = api_error(request, 400, count.error());
    co_await reply.send(std::move(response));
    co_return;
  }
  auto started = context.deployer.scale(
      deploy::ScaleRequest{.service = service, .instances = *count, .kind = action, .who = body->value("who", "")});
  co_await answer(request, reply, *body, std::move(started));
}

awaitable<void> handle_restart(const control::Request& request, control::Reply& reply, ApiContext& context,
                               const std::string& service) {
  auto body = body_object(request);
  const auto* live = context.deployer.live(service);
  std::string error = !body ? body.error() : !live ? service + " has no live release" : "";
  unsigned status = 400;
  if (auto checked = body ? check_common_fields(*body, "") : std::expected<void, std::string>{}; !checked)
    error = checked.error();
  else if (error.empty() && live->spec.instances == 0)
    error = service + " is stopped: start it with 'baton start'", status = 409;
  if (!error.empty()) {
    auto response = api_error(request, status, error);
    co_await reply.send(std::move(response));
    co_return;
  }
  auto started = context.deployer.deploy(
      deploy::DeployRequest{.service = service, .spec = live->spec, .version = live->version, .who = "restart"});
  co_await answer(request, reply, *body, std::move(started));
}
}  // namespace baton
