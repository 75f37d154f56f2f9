#include "app/logs_api.hpp"
#include "app/control_api.hpp"

#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "app/api_json.hpp"
#include "app/api_path.hpp"
#include "app/apply_api.hpp"
#include "app/deploy_api.hpp"
#include "app/metrics_page.hpp"
#include "app/service_runtime.hpp"
#include "app/status_json.hpp"
#include "app/token_api.hpp"
#include "app/site_api.hpp"
#include "deploy/deployer.hpp"
#include "net/keeper_link.hpp"

namespace baton {
namespace {
using nlohmann::json;
using boost::beast::http::verb;

// DELETE /v1/services/NAME -> NAME.
std::optional<std::string> deleted_service(const control::Request& request) {
  constexpr std::string_view kPrefix = "/v1/services/";
  std::string_view target = request.target();
  if (request.method() != verb::delete_ || !target.starts_with(kPrefix)) return std::nullopt;
  target.remove_prefix(kPrefix.size());
  if (target.empty() || target.find('/') != std::string_view::npos) return std::nullopt;
  return std::string(target);
}

// The answers that need no waiting: releases, describe, pause, resume, promote, abort, and the errors.
control::Response answer_now(const control::Request& request, ApiContext& context, const std::string& name,
                             const std::string& action) {
  if (!context.deployer.contains(name))
    return api_error(request, 404, "no service named '" + name + "' (see 'baton ls')");
  if (action == "releases" && request.method() == verb::get) {
    json list = json::array();
    for (const auto& release : *context.deployer.releases(name)) list.push_back(release_json(release));
    return control::json_response(request, 200, json_text(json{{"releases", list}}));
  }
  if (action == "describe" && request.method() == verb::get)
    return control::json_response(request, 200, json_text(describe_json(context, name)));
  if ((action == "pause" || action == "resume") && request.method() == verb::post) {
    bool pause = action == "pause";
    auto done = context.deployer.pause(name, pause);
    if (!done) return api_error(request, 409, done.error());
    return control::json_response(request, 200, json_text(json{{"paused", pause}}));
  }
  if ((action == "promote" || action == "abort") && request.method() == verb::post) {
    auto command = action == "promote" ? deploy::OperatorCommand::promote : deploy::OperatorCommand::abort;
    auto done = context.deployer.steer(name, command);
    if (!done) return api_error(request, 409, done.error());
    auto run = context.deployer.running(name);
    return control::json_response(request, 200, json_text(json{{action, run ? run->release() : ""}}));
  }
  return api_error(request, 405,
                   "use GET .../releases, .../describe or POST .../deploy, rollback, scale, stop, start, restart, pause, resume, "
                   "promote, abort");
}

awaitable<void> handle_service(const control::Request& request, control::Reply& reply, ApiContext& context,
                               const std::string& name, const std::string& action) {
  bool is_post = request.method() == verb::post;
  bool known = context.deployer.contains(name);
  if (known && is_post && action == "deploy") {
    co_await handle_deploy(request, reply, context, name);
  } else if (known && is_post && action == "rollback") {
    co_await handle_rollback(request, reply, context, name);
  } else if (known && is_post && (action == "scale" || action == "stop" || action == "start")) {
    co_await handle_scale(request, reply, context, name, action);
  } else if (known && is_post && action == "restart") {
    co_await handle_restart(request, reply, context, name);
  } else {
    auto response = answer_now(request, context, name, action);
    co_await reply.send(std::move(response));
  }
}
// POST /v1/shutdown takes an optional {"stop_apps": true}; the error is (status, message).
std::expected<bool, std::pair<unsigned, std::string>> shutdown_stops_apps(const control::Request& request) {
  if (request.method() != verb::post) return std::unexpected(std::pair{405u, std::string("use POST for /v1/shutdown")});
  auto body = body_object(request);
  if (!body) return std::unexpected(std::pair{400u, body.error()});
  for (const auto& [key, value] : body->items())
    if (key != "stop_apps") return std::unexpected(std::pair{400u, "unknown field '" + key + "' (known: stop_apps)"});
  if (!body->contains("stop_apps")) return false;
  if (!(*body)["stop_apps"].is_boolean()) return std::unexpected(std::pair{400u, std::string("stop_apps must be true or false")});
  return (*body)["stop_apps"].get<bool>();
}
}  // namespace

control::Response api_error(const control::Request& request, unsigned status, std::string_view message) {
  return control::json_response(request, status, json_text(json{{"error", message}}));
}

awaitable<void> handle_api(const control::Request& request, control::Reply& reply, ApiContext& context) {
  auto target = request.target();
  if (target == "/v1/status") {
    if (request.method() != verb::get) {
      auto response = api_error(request, 405, "use GET for /v1/status");
      co_await reply.send(std::move(response));
      co_return;
    }
    auto response = control::json_response(request, 200, json_text(status_json(context)));
    co_await reply.send(std::move(response));
    co_return;
  }
  if (target == "/metrics") {
    auto response = metrics_response(request, context.runtime, context.deployer);
    co_await reply.send(std::move(response));
    co_return;
  }
  if (target == "/v1/shutdown") {
    auto stop_apps = shutdown_stops_apps(request);
    auto response = stop_apps ? control::json_response(request, 202,
                                                       json_text(json{{"stopping", true}, {"stop_apps", *stop_apps}}))
                              : api_error(request, stop_apps.error().first, stop_apps.error().second);
    co_await reply.send(std::move(response));
    if (!stop_apps) co_return;
    if (*stop_apps && context.stop_apps_on_shutdown) *context.stop_apps_on_shutdown = true;
    // The daemon's main thread waits for this signal: the same graceful stop as `kill -TERM`,
    // and under a keeper the keeper stops too instead of starting a new daemon.
    tell_keeper_stopping();
    ::kill(::getpid(), SIGTERM);
    co_return;
  }
  if (is_token_request(request)) {
    co_await handle_tokens(request, reply, context);
    co_return;
  }
  if (target == "/v1/logs" || target.starts_with("/v1/logs?")) {
    co_await handle_logs(request, reply, context);
    co_return;
  }
  if (target == "/v1/logs/flush") {
    co_await handle_flush(request, reply, context);
    co_return;
  }
  if (target == "/v1/apply" || target == "/v1/services") {
    if (request.method() != verb::post) {
      auto response = api_error(request, 405, "use POST for " + std::string(target));
      co_await reply.send(std::move(response));
    } else if (target == "/v1/apply") {
      co_await handle_apply(request, reply, context);
    } else {
      co_await handle_register(request, reply, context);
    }
    co_return;
  }
  if (auto name = deleted_service(request)) {
    co_await handle_delete(request, reply, context, *name);
    co_return;
  }
  if (target.starts_with(SiteApi::kPrefix) && context.sites) {
    co_await context.sites->handle(request, reply);
    co_return;
  }
  if (auto service = named_path(target, "/v1/services/")) {
    co_await handle_service(request, reply, context, service->first, service->second);
    co_return;
  }
  auto response = api_error(request, 404, "unknown endpoint " + std::string(target) + " (see docs/api.md)");
  co_await reply.send(std::move(response));
}
}  // namespace baton
