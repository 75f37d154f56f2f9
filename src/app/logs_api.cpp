#include "app/logs_api.hpp"

#include <charconv>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "app/api_json.hpp"
#include "app/api_path.hpp"
#include "cli/log_reader.hpp"
#include "control/wire/access.hpp"
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
constexpr std::chrono::milliseconds kFollowPoll{200};
constexpr unsigned kPollsBeforeKeepAlive = 10;
constexpr unsigned kMaxLines = 1'000'000;

// What a GET /v1/logs asks for, or (status, message).
struct LogsQuery {
  std::string service;
  std::optional<unsigned> lines;
  cli::LogFilter filter;
  bool follow = false;
};

std::expected<LogsQuery, std::pair<unsigned, std::string>> logs_query(const control::Request& request,
                                                                      const ServiceRuntime& runtime) {
  auto target = request.target();
  auto bad = [](std::string message) { return std::unexpected(std::pair{400u, std::move(message)}); };
  LogsQuery query;
  query.service = query_param(target, "service").value_or("");
  if (!query.service.empty() && !runtime.config().services.contains(query.service))
    return std::unexpected(std::pair{404u, "no service '" + query.service + "' ('baton ls' lists them)"});
  if (auto lines = query_param(target, "lines")) {
    unsigned value = 0;
    auto [end, error] = std::from_chars(lines->data(), lines->data() + lines->size(), value);
    if (error != std::errc() || end != lines->data() + lines->size() || value > kMaxLines)
      return bad(fmt::format("lines must be a number from 0 to {}", kMaxLines));
    query.lines = value;
  }
  query.filter.since = query_param(target, "since").value_or("");
  if (query.filter.since.size() > 64) return bad("since must be a time as the log lines start with one");
  auto stream = query_param(target, "stream").value_or("both");
  if (stream == "out") query.filter.stream = cli::StreamChoice::out;
  else if (stream == "err") query.filter.stream = cli::StreamChoice::err;
  else if (stream != "both") return bad("stream must be out, err or both");
  query.filter.json = query_param(target, "json") == "1";
  query.follow = query_param(target, "follow") == "1";
  return query;
}

awaitable<bool> send_lines(control::Reply& reply, const std::vector<std::string>& lines) {
  std::string batch;
  for (const auto& line : lines) batch += json_text(nlohmann::json(control::wire::LogLine{line})) + "\n";
  if (batch.empty()) co_return true;
  co_return co_await reply.write(batch);
}
}  // namespace

awaitable<void> handle_logs(const control::Request& request, control::Reply& reply, ApiContext& context) {
  auto query = request.method() == boost::beast::http::verb::get
                   ? logs_query(request, context.runtime)
                   : std::unexpected(std::pair{405u, std::string("use GET for /v1/logs")});
  if (!query) {
    auto response = api_error(request, query.error().first, query.error().second);
    co_await reply.send(std::move(response));
    co_return;
  }
  cli::LogReader reader(context.runtime.log_dir(), query->service, query->filter);
  co_await reply.begin_stream(200, "application/x-ndjson");
  auto first = reader.tail(query->lines);
  bool open = co_await send_lines(reply, first);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  unsigned quiet_polls = 0;
  while (open && query->follow) {
    timer.expires_after(kFollowPoll);
    co_await timer.async_wait(asio::use_awaitable);
    auto lines = reader.poll();
    if (!lines.empty()) {
      quiet_polls = 0;
      open = co_await send_lines(reply, lines);
    } else if (++quiet_polls == kPollsBeforeKeepAlive) {
      // A blank line now and then: a client that went away while nothing was logged is noticed.
      quiet_polls = 0;
      open = co_await reply.write("\n");
    }
  }
}

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
