#include "app/logs_api.hpp"

#include "app/api_json.hpp"
#include "app/deploy_api.hpp"
#include "app/service_runtime.hpp"
#include "base/json_text.hpp"
#include "base/log.hpp"

namespace baton {
namespace {
// The service to flush ("" for every one), or (status, message).
std::expected<std::string, std::pair<unsigned, std::string>> flushed_service(const control::Request& request,
                                                                             const ServiceRuntime& runtime) {
  if (request.method() != boost::beast::http::verb::post)
    return std::unexpected(std::pair{405u, std::string("use POST for /v1/logs/flush")});
  auto body = body_object(request);
  if (!body) return std::unexpected(std::pair{400u, body.error()});
  for (const auto& [key, value] : body->items())
    if (key != "service") return std::unexpected(std::pair{400u, "unknown field '" + key + "' (known: service)"});
  if (!body->contains("service")) return std::string();
  const auto& name = (*body)["service"];
  if (!name.is_string() || name.get<std::string>().empty())
    return std::unexpected(std::pair{400u, std::string("service must be a service's name")});
  if (!runtime.config().services.contains(name.get<std::string>()))
    return std::unexpected(std::pair{404u, "no service '" + name.get<std::string>() + "' ('baton ls' lists them)"});
  return name.get<std::string>();
}
}  // namespace

awaitable<void> handle_flush(const control::Request& request, control::Reply& reply, ApiContext& context) {
  auto service = flushed_service(request, context.runtime);
  if (!service) {
    auto response = api_error(request, service.error().first, service.error().second);
    co_await reply.send(std::move(response));
    co_return;
  }
  auto flushed = context.runtime.flush_logs(*service);
  log::info("event=logs_flushed service={} files={}", service->empty() ? "*" : *service, flushed.size());
  auto response = control::json_response(request, 200, json_text(nlohmann::json{{"flushed", flushed}}));
  co_await reply.send(std::move(response));
}
}  // namespace baton
