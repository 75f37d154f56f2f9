#include "app/site_api.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "app/api_path.hpp"
#include "app/deploy_api.hpp"
#include "app/site_upload.hpp"
#include "base/log.hpp"
#include "cli/site_json.hpp"

namespace baton {
namespace {
using nlohmann::json;
using boost::beast::http::verb;
constexpr std::size_t kMaxVersionBytes = 200;
constexpr std::string_view kMethodError = "use GET or POST .../releases, or POST .../rollback";
constexpr std::string_view kRollbackBodyError = R"(the body must be {} or {"to": "RELEASE_ID"})";

// Work for the disk thread; the awaiting coroutine resumes on its own executor (the control
// plane's thread).
template <typename T, typename Work>
awaitable<T> on_disk(asio::thread_pool& pool, Work work) {
  auto start = [&pool](auto handler, Work work) {
    auto home = asio::get_associated_executor(handler);
    asio::post(pool, [home, work = std::move(work), handler = std::move(handler)]() mutable {
      asio::post(home, [handler = std::move(handler), result = work()]() mutable { std::move(handler)(std::move(result)); });
    });
  };
  return asio::async_initiate<decltype(asio::use_awaitable), void(T)>(start, asio::use_awaitable, std::move(work));
}

std::expected<UploadOptions, std::string> upload_options(const control::Request& head, const SiteConfig& site) {
  UploadOptions options{.version = query_param(head.target(), "version").value_or(""),
                        .require_index = site.require_index && query_param(head.target(), "no_index") != "1",
                        .keep = site.keep};
  if (options.version.size() > kMaxVersionBytes)
    return std::unexpected(fmt::format("the version is longer than {} bytes", kMaxVersionBytes));
  for (unsigned char c : options.version)
    if (c < 0x20 || c == 0x7f) return std::unexpected("the version must not contain control characters");
  return options;
}

std::expected<std::vector<site::ReleaseInfo>, std::string> list_releases(const std::string& root) {
  auto store = site::SiteStore::open(root);
  if (!store) return std::unexpected(store.error());
  return store->list();
}

// The disk thread's work, made outside the coroutines: GCC 12 miscompiles lambdas that capture
// by value inside one.
auto publish_work(std::string root, int spool, UploadOptions options) {
  return [root = std::move(root), spool, options = std::move(options)] { return publish_archive(root, spool, options); };
}

auto rollback_work(std::string root, std::string to) {
  return [root = std::move(root), to = std::move(to)]() -> std::expected<std::string, std::string> {
    auto store = site::SiteStore::open(root);
    if (!store) return std::unexpected(store.error());
    return store->rollback(to);
  };
}

std::string unknown_site(const std::string& name) { return "no site named '" + name + "' in the daemon's config"; }
std::string unknown_endpoint(std::string_view target) {
  return "unknown endpoint " + std::string(target) + " (see docs/api.md)";
}

// The release a rollback asks for ("" for the one before the live one); nullopt for a bad body.
std::optional<std::string> rollback_to(const std::string& text) {
  auto body = text.empty() ? json::object() : json::parse(text, nullptr, false);
  if (!body.is_object()) return std::nullopt;
  for (const auto& [key, value] : body.items())
    if (key != "to" || !value.is_string()) return std::nullopt;
  return body.value("to", std::string());
}

std::string rolled_back_json(const std::string& site, const std::string& live) {
  return json_text(json{{"site", site}, {"live", live}});
}

json published_json(const std::string& site, const site::ReleaseInfo& info) {
  auto out = cli::site_release_json(info);
  out["site"] = site;
  return out;
}

awaitable<void> answer(control::Reply& reply, const control::Request& request, unsigned status, std::string body) {
  co_await reply.send(control::json_response(request, status, std::move(body)));
}

// Messages are built before the co_await: GCC 12 mishandles temporaries inside co_await expressions.
awaitable<void> answer_error(control::Reply& reply, const control::Request& request, unsigned status,
                             std::string message) {
  co_await reply.send(api_error(request, status, message));
}
}  // namespace

bool SiteApi::is_upload(const control::Request& head) {
  auto path = named_path(head.target(), kPrefix);
  return path && path->second == "releases" && head.method() == verb::post;
}

std::optional<SiteConfig> SiteApi::find(const std::string& name) const {
  const auto& sites = sites_();
  auto it = sites.find(name);
  if (it == sites.end()) return std::nullopt;
  return it->second;
}

awaitable<void> SiteApi::upload(const control::Request& head, control::BodyReader& body, control::Reply& reply) {
  auto name = named_path(head.target(), kPrefix)->first;
  auto site = find(name);
  if (!site) co_return co_await answer_error(reply, head, 404, unknown_site(name));
  auto options = upload_options(head, *site);
  if (!options) co_return co_await answer_error(reply, head, 400, options.error());
  auto spool = open_spool(site->root);
  if (!spool) co_return co_await answer_error(reply, head, 500, spool.error());
  auto received = co_await receive_body(body, spool->get());
  if (!received) {
    if (received.error().status >= 500)
      log::warn("event=site_upload_failed site={} error=\"{}\"", name, received.error().message);
    co_return co_await answer_error(reply, head, received.error().status, std::move(received.error().message));
  }
  auto published = co_await on_disk<std::expected<site::ReleaseInfo, site::PublishError>>(
      disk_, publish_work(site->root, spool->get(), *options));
  if (!published) {
    log::warn("event=site_publish_failed site={} error=\"{}\"", name, published.error().message);
    unsigned status = published.error().refused ? 400 : 500;
    co_return co_await answer_error(reply, head, status, std::move(published.error().message));
  }
  log::info("event=site_published site={} release={} files={} bytes={} archive_bytes={}", name, published->id,
            published->meta.files, published->meta.bytes, *received);
  co_await answer(reply, head, 200, json_text(published_json(name, *published)));
}

awaitable<void> SiteApi::handle(const control::Request& request, control::Reply& reply) {
  auto path = named_path(request.target(), kPrefix);
  auto site = path ? find(path->first) : std::nullopt;
  if (!site) {
    auto message = path ? unknown_site(path->first) : unknown_endpoint(request.target());
    co_return co_await answer_error(reply, request, 404, std::move(message));
  }
  if (path->second == "rollback" && request.method() == verb::post) co_return co_await rollback(request, reply, *site);
  if (path->second != "releases" || request.method() != verb::get)
    co_return co_await answer_error(reply, request, 405, std::string(kMethodError));
  auto releases = list_releases(site->root);
  if (!releases) co_return co_await answer_error(reply, request, 500, releases.error());
  co_await answer(reply, request, 200, json_text(cli::site_releases_json(*releases)));
}

awaitable<void> SiteApi::rollback(const control::Request& request, control::Reply& reply, const SiteConfig& site) {
  auto to = rollback_to(request.body());
  if (!to) co_return co_await answer_error(reply, request, 400, std::string(kRollbackBodyError));
  auto live = co_await on_disk<std::expected<std::string, std::string>>(disk_, rollback_work(site.root, *to));
  if (!live) co_return co_await answer_error(reply, request, 409, live.error());
  log::info("event=site_rolled_back site={} release={}", site.name, *live);
  co_await answer(reply, request, 200, rolled_back_json(site.name, *live));
}
}  // namespace baton
