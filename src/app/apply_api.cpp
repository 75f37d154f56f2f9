#include "app/apply_api.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "app/api_json.hpp"
#include "app/config_applier.hpp"
#include "app/deploy_api.hpp"
#include "app/registration.hpp"
#include "app/service_runtime.hpp"
#include "deploy/deployer.hpp"

namespace baton {
namespace {
using nlohmann::json;
using Clock = std::chrono::steady_clock;
constexpr auto kPoll = std::chrono::milliseconds(100);

// Writes JSON lines with the time since the change began.
class Stream {
 public:
  explicit Stream(control::Reply& reply) : reply_(reply) {}
  awaitable<void> line(json event) {
    if (!event.contains("elapsed_ms")) event["elapsed_ms"] = elapsed_ms();
    co_await reply_.write(json_text(event) + "\n");
  }
  // Built outside the coroutine: GCC 12 cannot compile brace-initialised json inside one.
  awaitable<void> say(std::string kind, std::string message) { return line(event_line(kind, message)); }
  static json event_line(const std::string& kind, const std::string& message) {
    return json{{"event", kind}, {"message", message}};
  }
  std::int64_t elapsed_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count();
  }

 private:
  control::Reply& reply_;
  Clock::time_point started_ = Clock::now();
};


json plan_json(const ConfigPlan& plan) {
  return json{{"event", "plan"},          {"message", plan_text(plan)},    {"added", plan.added},
              {"removed", plan.removed},  {"redeployed", plan.redeployed}, {"rescaled", plan.rescaled},
              {"rerouted", plan.rerouted}, {"sites", plan.sites_changed},  {"restart_required", plan.restart_required},
              {"elapsed_ms", 0}};
}

json end_json(const std::vector<std::string>& failures, std::int64_t elapsed_ms) {
  json end{{"event", "end"}, {"ok", failures.empty()}, {"kind", "apply"}, {"elapsed_ms", elapsed_ms}};
  if (!failures.empty()) end["reason"] = fmt::format("{}", fmt::join(failures, "\n"));
  return end;
}

// Every instance of the service's live release healthy: "", else why not (a crash loop at once).
awaitable<std::string> wait_ready(ApiContext& context, const std::string& service) {
  auto found = context.runtime.config().services.find(service);
  if (found == context.runtime.config().services.end() || !found->second.managed()) co_return "";
  auto deadline = Clock::now() + found->second.deploy.deploy_timeout;
  for (;;) {
    const auto* live = context.deployer.live(service);
    if (!live) co_return "it has no live release";
    auto views = context.runtime.instances(service, live->id);
    unsigned healthy = 0;
    for (const auto& view : views) {
      if (view.crash_loop || view.given_up)
        co_return fmt::format("instance {} {} ({}); its last output:\n{}", view.index,
                              view.given_up ? "stopped and is not restarted" : "keeps exiting", view.problem,
                              context.runtime.log_tail(service, live->id));
      healthy += view.healthy;
    }
    if (healthy >= live->spec.size()) co_return "";
    if (Clock::now() >= deadline)
      co_return fmt::format("{} of {} instances healthy after {} s (deploy_timeout)", healthy, live->spec.size(),
                            found->second.deploy.deploy_timeout.count() / 1000);
    co_await context.runtime.wait_change(std::min(deadline, Clock::now() + kPoll));
  }
}

// Streams each run's events, tagged with its service, until all have ended; returns the failures.
awaitable<std::vector<std::string>> follow_runs(Stream& out, const ApplyResult& result) {
  std::vector<std::size_t> sent(result.runs.size(), 0);
  for (;;) {
    bool all_done = true;
    for (std::size_t i = 0; i < result.runs.size(); ++i) {
      const auto& [service, run] = result.runs[i];
      while (sent[i] < run->events().size()) {
        auto event = event_json(run->events()[sent[i]++]);
        event["service"] = service;
        event["message"] = service + ": " + event.value("message", "");
        event.erase("elapsed_ms");
        co_await out.line(std::move(event));
      }
      all_done = all_done && run->finished();
    }
    if (all_done) break;
    for (const auto& [service, run] : result.runs)
      if (!run->finished()) {
        co_await run->wait_until(Clock::now() + kPoll);
        break;
      }
  }
  std::vector<std::string> failures;
  for (const auto& [service, run] : result.runs)
    if (!run->ok()) failures.push_back(fmt::format("{}: {}", service, run->reason()));
  co_return failures;
}

awaitable<void> answer(const control::Request& request, control::Reply& reply, ApiContext& context, Applied applied) {
  if (!applied) {
    auto response = api_error(request, applied.error().status, applied.error().message);
    co_await reply.send(std::move(response));
    co_return;
  }
  co_await reply.begin_stream(200, "application/x-ndjson");
  Stream out(reply);
  co_await out.line(plan_json(applied->plan));
  std::vector<std::string> failures;
  for (const auto& [service, why] : applied->failed) failures.push_back(fmt::format("{}: {}", service, why));
  for (const auto& service : applied->plan.added) {
    if (std::ranges::any_of(applied->failed, [&](const auto& f) { return f.first == service; })) continue;
    auto problem = co_await wait_ready(context, service);
    if (problem.empty()) co_await out.say("ready", service + ": every instance is healthy");
    else failures.push_back(fmt::format("{}: {}", service, problem));
  }
  for (auto& failure : co_await follow_runs(out, *applied)) failures.push_back(std::move(failure));
  co_await out.line(end_json(failures, out.elapsed_ms()));
}

awaitable<void> refuse(const control::Request& request, control::Reply& reply, std::string message) {
  auto response = api_error(request, 400, message);
  co_await reply.send(std::move(response));
}
}  // namespace

std::string plan_text(const ConfigPlan& plan) {
  std::vector<std::string> parts;
  auto add = [&](const char* what, const std::vector<std::string>& names) {
    if (!names.empty()) parts.push_back(fmt::format("{} {}", what, fmt::join(names, ", ")));
  };
  add("start", plan.added);
  add("remove", plan.removed);
  add("deploy", plan.redeployed);
  add("scale", plan.rescaled);
  add("new routes for", plan.rerouted);
  add("sites", plan.sites_changed);
  if (plan.log_level_changed) parts.push_back("log level");
  if (plan.logs_changed) parts.push_back("[logs]");
  add("at the next daemon start:", plan.restart_required);
  return parts.empty() ? "nothing to change" : fmt::format("{}", fmt::join(parts, "; "));
}

awaitable<void> handle_apply(const control::Request& request, control::Reply& reply, ApiContext& context) {
  auto body = body_object(request);
  std::string error = body ? "" : body.error();
  if (body) {
    for (const auto& [key, value] : body->items())
      if (key != "path" && key != "text") error = "unknown field '" + key + "' (known: path, text)";
    if (!body->contains("path") || !(*body)["path"].is_string() || (*body)["path"].get<std::string>().empty() ||
        !body->contains("text") || !(*body)["text"].is_string())
      error = "path and text are required strings: the file's name and its contents";
  }
  if (!error.empty()) {
    co_await refuse(request, reply, error);
    co_return;
  }
  auto applied = co_await context.config.apply_file((*body)["path"], (*body)["text"]);
  co_await answer(request, reply, context, std::move(applied));
}

awaitable<void> handle_register(const control::Request& request, control::Reply& reply, ApiContext& context) {
  auto body = body_object(request);
  std::expected<Registration, std::string> registration = std::unexpected(body ? "" : body.error());
  if (body) registration = registration_from_json(*body);
  if (!registration) {
    co_await refuse(request, reply, registration.error());
    co_return;
  }
  auto applied = co_await context.config.register_service(registration->name, registration->toml_keys);
  co_await answer(request, reply, context, std::move(applied));
}

awaitable<void> handle_delete(const control::Request& request, control::Reply& reply, ApiContext& context,
                              const std::string& service) {
  auto applied = co_await context.config.delete_service(service);
  co_await answer(request, reply, context, std::move(applied));
}
}  // namespace baton
