#include "app/deploy_api.hpp"

#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <set>

#include "base/json_text.hpp"
#include "app/api_json.hpp"
#include "app/app_artifacts.hpp"
#include "app/config_applier.hpp"
#include "app/deploy_body.hpp"
#include "app/token_api.hpp"
#include "config/loader.hpp"
#include "deploy/deployer.hpp"

namespace baton {
namespace {
using nlohmann::json;
constexpr auto kKeepAliveEvery = std::chrono::seconds(1);

// A registered service (or a daemon without a file) deploys from its live release's spec.
std::expected<deploy::ReleaseSpec, std::string> fresh_spec(ApiContext& context, const std::string& service) {
  const auto& path = context.config.config_path();
  if (!path.empty() && !context.config.registered(service)) {
    auto config = load_config_file(path);
    if (!config) return std::unexpected("the config file does not load, fix it first: " + config.error());
    if (auto found = config->services.find(service); found != config->services.end())
      return deploy::spec_from_config(found->second);
  }
  const auto* live = context.deployer.live(service);
  if (!live) return std::unexpected("service '" + service + "' has no live release to deploy from");
  return live->spec;
}

// Streams the run's events as JSON lines, then one last line with the outcome.
awaitable<void> follow(control::Reply& reply, std::shared_ptr<deploy::DeployRun> run) {
  co_await reply.begin_stream(200, "application/x-ndjson");
  std::size_t sent = 0;
  for (;;) {
    while (sent < run->events().size()) {
      auto line = json_text(event_json(run->events()[sent++])) + "\n";
      co_await reply.write(line);
    }
    if (run->finished()) break;
    co_await run->wait_until(std::chrono::steady_clock::now() + kKeepAliveEvery);
  }
  control::wire::ProgressEnd end{.event = "end",
                                 .ok = run->ok(),
                                 .kind = run->kind(),
                                 .release = run->release(),
                                 .elapsed_ms = run->elapsed().count(),
                                 .reason = std::nullopt};
  if (!run->ok()) end.reason = run->reason();
  co_await reply.write(json_text(json(end)) + "\n");
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
    auto response = control::json_response(request, 202, json_text(accepted));
    co_await reply.send(std::move(response));
    co_return;
  }
  co_await follow(reply, *started);
}
}  // namespace

namespace {
// The release directories that stay: the new one, the newest `keep` (it included) of releases that
// did not fail, and whatever the live release, the standby, a deploy in progress or any running
// instance (an old release still draining) uses.
std::set<std::string> kept_dirs(ApiContext& context, const std::string& service, const std::string& fresh,
                                unsigned keep) {
  using deploy::ReleaseStatus;
  std::set<std::string> kept{fresh};
  const auto* history = context.deployer.releases(service);
  if (!history) return kept;
  auto releases_dir = context.artifacts->releases_dir(service);
  unsigned recent = 1;  // the new release
  for (auto it = history->rbegin(); it != history->rend(); ++it) {
    if (std::filesystem::path(it->spec.cwd).parent_path() != releases_dir) continue;
    bool in_use = it->status == ReleaseStatus::live || it->status == ReleaseStatus::standby ||
                  it->status == ReleaseStatus::deploying || !context.runtime.instances(service, it->id).empty();
    bool wanted = it->status != ReleaseStatus::failed && recent < keep;
    if (wanted) ++recent;
    if (in_use || wanted) kept.insert(it->spec.cwd);
  }
  return kept;
}

// deploy --from: the code is copied first, so a failed copy starts nothing; the spec's build hook
// then runs as the deploy's first step; directories no kept release uses go.
std::expected<void, std::string> store_code(ApiContext& context, deploy::DeployRequest& request) {
  if (!context.artifacts) return std::unexpected("this daemon keeps no app releases");
  if (context.deployer.running(request.service))
    return std::unexpected(fmt::format("a deploy of {} is running: wait for it, or abort it", request.service));
  auto dir = context.artifacts->store(request.service, request.from, request.spec.deploy.shared,
                                      request.artifact.empty() ? "" : "the uploaded archive");
  if (!dir) return std::unexpected(dir.error());
  use_release_dir(request.spec, dir->string());
  request.build = !request.spec.deploy.build.empty();
  context.artifacts->prune(request.service, kept_dirs(context, request.service, dir->string(), request.spec.deploy.keep));
  return {};
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
  std::filesystem::path upload;
  if (!parsed->artifact.empty() && context.artifacts) {
    upload = context.artifacts->uploads_dir(service) / parsed->artifact;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(upload, ec)) {
      auto response = api_error(request, 400, fmt::format("no uploaded artifact {} for {}: upload it first (POST "
                                                          "/v1/services/{}/artifacts)",
                                                          parsed->artifact, service, service));
      co_await reply.send(std::move(response));
      co_return;
    }
    parsed->from = upload.string();
  }
  if (!parsed->from.empty()) {
    auto stored = store_code(context, *parsed);
    if (!upload.empty()) {
      std::error_code ignored;
      std::filesystem::remove(upload, ignored);  // taken or refused, it is not deployed twice
    }
    if (!stored) {
      auto response = api_error(request, 400, stored.error());
      co_await reply.send(std::move(response));
      co_return;
    }
  }
  parsed->who = who_with_token(request, parsed->who);
  auto started = context.deployer.deploy(std::move(*parsed));
  co_await answer(request, reply, *body, std::move(started));
}

awaitable<void> handle_rollback(const control::Request& request, control::Reply& reply, ApiContext& context,
                                const std::string& service) {
  auto body = body_object(request);
  std::expected<deploy::RollbackRequest, std::string> rollback = std::unexpected(body ? "" : body.error());
  if (body) rollback = rollback_request(*body, service);
  if (!rollback) {
    auto response = api_error(request, 400, rollback.error());
    co_await reply.send(std::move(response));
    co_return;
  }
  rollback->who = who_with_token(request, rollback->who);
  auto started = context.deployer.rollback(std::move(*rollback));
  co_await answer(request, reply, *body, std::move(started));
}


namespace {
// What `baton start` without -i brings back: the config file's count as it is now (like a deploy's
// spec), else the live release's own.
unsigned start_count(ApiContext& context, const std::string& service) {
  const auto& path = context.config.config_path();
  if (auto config = path.empty() ? std::expected<Config, std::string>(std::unexpected("")) : load_config_file(path))
    if (auto found = config->services.find(service); found != config->services.end()) return found->second.instances;
  const auto* live = context.deployer.live(service);
  return live ? std::max(1u, live->spec.instances) : 1;
}
}  // namespace

awaitable<void> handle_scale(const control::Request& request, control::Reply& reply, ApiContext& context,
                             const std::string& service, const std::string& action) {
  auto body = body_object(request);
  std::expected<unsigned, std::string> count = std::unexpected(body ? "" : body.error());
  if (body) {
    bool needs_default = action == "start" && !body->contains("instances");
    count = scale_count(*body, action, needs_default ? start_count(context, service) : 0);
  }
  if (!count) {
    auto response = api_error(request, 400, count.error());
    co_await reply.send(std::move(response));
    co_return;
  }
  auto started = context.deployer.scale(
      deploy::ScaleRequest{.service = service, .instances = *count, .kind = action,
                           .who = who_with_token(request, body->value("who", ""))});
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
      deploy::DeployRequest{.service = service, .spec = live->spec, .version = live->version,
                              .who = who_with_token(request, "restart")});
  co_await answer(request, reply, *body, std::move(started));
}
}  // namespace baton
