#include "cli/remote_site.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "base/secret_file.hpp"
#include "cli/command_line.hpp"
#include "cli/remote_api.hpp"
#include "cli/site_json.hpp"
#include "cli/site_output.hpp"
#include "site/tar_writer.hpp"

namespace baton::cli {
namespace {
using nlohmann::json;

// The reply's JSON, when it is a success; otherwise prints the daemon's message.
std::optional<json> success(const SiteCommand& command, const ApiReply& reply) {
  auto body = json::parse(reply.body, nullptr, false);
  if (reply.status == 200 && !body.is_discarded()) return body;
  auto message = body.is_object() && body.contains("error") && body["error"].is_string()
                     ? body["error"].get<std::string>()
                     : fmt::format("the daemon answered {}: {}", reply.status, reply.body);
  site_failure(command, message);
  return std::nullopt;
}

int usage(const SiteCommand& command, const std::string& what) {
  site_failure(command, what);
  return kUsage;
}

int unreachable_or_failed(const SiteCommand& command, const ApiError& error) {
  site_failure(command, error.message);
  return error.unreachable ? kUnreachable : kFailed;
}

std::string sites_path(const SiteCommand& command, std::string_view action) {
  return fmt::format("/v1/sites/{}/{}", percent_encoded(command.site), action);
}

int publish(const Remote& remote, const SiteCommand& command) {
  auto started = SteadyClock::now();
  auto path = sites_path(command, "releases");
  if (!command.version.empty()) path += "?version=" + percent_encoded(command.version);
  if (command.no_index) path += command.version.empty() ? "?no_index=1" : "&no_index=1";
  auto reply = upload_remote(remote, path, "application/x-tar", [&](const BodySink& sink) -> std::expected<void, std::string> {
    auto written = site::write_tar(command.dir, sink);
    if (!written) return std::unexpected(written.error());
    return {};
  });
  if (!reply) return unreachable_or_failed(command, reply.error());
  auto body = success(command, *reply);
  if (!body) return kFailed;
  auto release = parse_site_release(*body);
  if (!release) return site_failure(command, "the daemon's answer is not a release: " + reply->body);
  print_published(command, *release, started);
  return kOk;
}

int rollback(const Remote& remote, const SiteCommand& command) {
  auto started = SteadyClock::now();
  auto body = command.to.empty() ? json::object() : json{{"to", command.to}};
  auto reply = call_remote(remote, "POST", sites_path(command, "rollback"), json_text(body));
  if (!reply) return unreachable_or_failed(command, reply.error());
  auto answer = success(command, *reply);
  if (!answer) return kFailed;
  print_rolled_back(command, answer->value("live", std::string()), started);
  return kOk;
}

int list(const Remote& remote, const SiteCommand& command) {
  auto reply = call_remote(remote, "GET", sites_path(command, "releases"));
  if (!reply) return unreachable_or_failed(command, reply.error());
  auto answer = success(command, *reply);
  if (!answer) return kFailed;
  auto releases = parse_site_releases(*answer);
  if (!releases) return site_failure(command, "the daemon's answer is not a list of releases: " + reply->body);
  print_releases(command, *releases);
  return kOk;
}
}  // namespace

int run_remote_site(const SiteCommand& command) {
  if (command.remote.empty() && remote_in_use()) {  // --remote before `site`, a context or BATON_REMOTE
    if (command.keep) return usage(command, "--keep goes with a local publish; remotely the site's keep applies");
    const auto& remote = *remote_in_use();
    switch (command.action) {
      case SiteAction::publish: return publish(remote, command);
      case SiteAction::rollback: return rollback(remote, command);
      case SiteAction::ls: return list(remote, command);
    }
    return kFailed;
  }
  auto url = parse_remote_url(command.remote);
  if (!url) return usage(command, "--remote: " + url.error());
  auto token = read_secret_file(command.token_file);
  if (!token) return usage(command, "--token: " + token.error());
  if (command.keep) return usage(command, "--keep goes with a local publish; remotely the site's keep applies");
  Remote remote{std::move(*url), std::move(*token)};
  switch (command.action) {
    case SiteAction::publish: return publish(remote, command);
    case SiteAction::rollback: return rollback(remote, command);
    case SiteAction::ls: return list(remote, command);
  }
  return kFailed;
}
}  // namespace baton::cli
