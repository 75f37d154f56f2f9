#include "cli/deploy_command.hpp"

#include <fmt/format.h>

#include <expected>
#include <filesystem>
#include <fstream>
#include <span>
#include <vector>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/dotenv.hpp"
#include "cli/api_client.hpp"
#include "cli/apply_command.hpp"
#include "cli/event_stream.hpp"
#include "cli/remote_api.hpp"
#include "control/wire/access.hpp"
#include "control/wire/releases.hpp"
#include "site/tar_writer.hpp"

namespace baton::cli {
namespace {
using nlohmann::json;

// The --env-file files in order, then --env: a later value wins. Nothing is sent when one is wrong.
std::expected<json, std::string> deploy_env(const DeployCommand& command) {
  json env = json::object();
  for (const auto& file : command.env_files) {
    auto entries = read_dotenv_file(file);
    if (!entries) return std::unexpected("--env-file " + entries.error());
    for (const auto& entry : *entries) env[entry.key] = entry.value;
  }
  for (const auto& pair : command.env) {
    auto eq = pair.find('=');
    // The value is left out: it may be a secret.
    if (eq == std::string::npos || eq == 0)
      return std::unexpected(fmt::format("--env needs NAME=VALUE, got '{}'", pair.substr(0, eq)));
    env[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  return env;
}
// `--from DIR|ARCHIVE` to a remote daemon: a directory goes up as a tar written on the fly, an
// archive as it is (the daemon reads any format it could read locally). Returns the upload's id.
std::expected<std::string, ApiError> upload_artifact(const Remote& remote, const std::string& service,
                                                     const std::string& from) {
  std::error_code ec;
  bool directory = std::filesystem::is_directory(from, ec);
  if (!directory && !std::filesystem::is_regular_file(from, ec))
    return std::unexpected(ApiError{false, fmt::format("cannot deploy from {}: not a directory or an archive", from)});
  auto produce = [&](const BodySink& sink) -> std::expected<void, std::string> {
    if (directory) {
      auto written = site::write_tar(from, sink);
      if (!written) return std::unexpected(written.error());
      return {};
    }
    std::ifstream in(from, std::ios::binary);
    if (!in) return std::unexpected(fmt::format("cannot read {}", from));
    std::vector<char> chunk(1 << 20);
    while (in) {
      in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      if (in.gcount() > 0)
        if (auto sent = sink(std::span<const char>(chunk.data(), static_cast<std::size_t>(in.gcount()))); !sent)
          return sent;
    }
    if (in.bad()) return std::unexpected(fmt::format("cannot read {}", from));
    return {};
  };
  auto reply = upload_remote(remote, "/v1/services/" + service + "/artifacts", "application/octet-stream", produce);
  if (!reply) return std::unexpected(reply.error());
  if (reply->status != 200) return std::unexpected(ApiError{false, error_of(reply->body)});
  auto answer = control::wire::parse<control::wire::ArtifactUploaded>(reply->body);
  if (!answer || answer->artifact.empty())
    return std::unexpected(ApiError{false, "the daemon's answer to the upload has no artifact id: " + reply->body});
  return answer->artifact;
}
}  // namespace

int run_deploy(const DeployCommand& command) {
  json body = json::object();
  if (!command.version.empty()) body["version"] = command.version;
  if (!command.strategy.empty()) body["strategy"] = command.strategy;
  if (!command.steps.empty()) body["steps"] = command.steps;
  if (!command.interval.empty()) body["interval"] = command.interval;
  if (command.pause_at) body["pause_at"] = *command.pause_at;
  if (!command.watch.empty()) body["watch"] = command.watch;
  if (command.instances) body["instances"] = *command.instances;
  if (!command.cwd.empty()) body["cwd"] = command.cwd;
  if (!command.from.empty() && remote_in_use()) {
    // The daemon is elsewhere: the code goes up first, and the deploy names the upload.
    auto artifact = upload_artifact(*remote_in_use(), command.service, command.from);
    if (!artifact) {
      fmt::print(stderr, "baton: {}\n", artifact.error().message);
      return artifact.error().unreachable ? kUnreachable : kFailed;
    }
    body["artifact"] = *artifact;
  } else if (!command.from.empty()) {
    std::error_code ec;
    body["from"] = std::filesystem::absolute(command.from, ec).lexically_normal().string();
  }
  if (!command.command.empty()) body["command"] = command.command;
  if (!command.targets.empty()) body["targets"] = command.targets;
  auto env = deploy_env(command);
  if (!env) {
    fmt::print(stderr, "baton: {}\n", env.error());
    return kUsage;
  }
  if (!env->empty()) body["env"] = *env;
  if (command.detach) body["detach"] = true;
  if (const char* user = std::getenv("USER")) body["who"] = user;
  return run_streamed(command.home, "/v1/services/" + command.service + "/deploy", body, command.progress);
}

int run_rollback(const RollbackCommand& command) {
  json body = json::object();
  if (!command.to.empty()) body["to"] = command.to;
  if (command.detach) body["detach"] = true;
  return run_streamed(command.home, "/v1/services/" + command.service + "/rollback", body, command.progress);
}

int run_releases(const ReleasesCommand& command) {
  auto reply = call_api(command.home, "GET", "/v1/services/" + command.service + "/releases");
  if (auto failed = failure_exit(reply)) return *failed;
  if (command.json) {
    fmt::print("{}\n", reply->body);
    return kOk;
  }
  auto releases = control::wire::parse<control::wire::ReleaseList>(reply->body);
  if (!releases) {
    fmt::print(stderr, "baton: the daemon's answer is not a list of releases: {}\n", reply->body);
    return kFailed;
  }
  fmt::print("{:<6} {:<20} {:<12} {:>9} {:<14} {}\n", "ID", "VERSION", "STATUS", "INSTANCES", "BY", "REASON");
  for (const auto& r : releases->releases)
    fmt::print("{:<6} {:<20} {:<12} {:>9} {:<14} {}\n", r.id, r.version, r.status, r.instances, r.created_by,
               r.reason.substr(0, r.reason.find('\n')));
  return kOk;
}

int run_pause(const PauseCommand& command) {
  auto reply = call_api(command.home, "POST", fmt::format("/v1/services/{}/{}", command.service, command.action));
  if (auto failed = failure_exit(reply)) return *failed;
  if (command.action == "pause") fmt::print("{}: paused, new requests wait\n", command.service);
  else if (command.action == "resume") fmt::print("{}: resumed\n", command.service);
  else
    fmt::print("{}: {} sent to the canary; 'baton deploy' shows the outcome, 'baton releases {}' the result\n",
               command.service, command.action, command.service);
  return kOk;
}

int run_service(const ServiceCommand& command) {
  bool registers = !command.listen.empty() || !command.health.empty() || !command.cwd.empty() ||
                   !command.env.empty() || command.socket_activation || command.notify || !command.settings.empty() ||
                   command.max_restarts;
  if (command.action == "start" && !command.command.empty()) return run_register(command);
  if (registers) {
    // A service that exists keeps its settings: they change in its config (baton apply), never in passing.
    fmt::print(stderr, "baton: --listen, --health, --cwd, --env, --socket-activation, --notify and the settings "
                       "flags (--max-memory, --autorestart, ...) describe a new service: give its command after --; "
                       "an existing service's settings change with 'baton apply'\n");
    return kUsage;
  }
  if (command.action == "delete") return run_delete(command);
  json body = json::object();
  if (command.instances) body["instances"] = *command.instances;
  if (command.detach) body["detach"] = true;
  return run_streamed(command.home, fmt::format("/v1/services/{}/{}", command.service, command.action), body,
                      command.progress);
}

// Returns once the daemon no longer answers: it drained, and with --stop-apps its services stopped.
int run_shutdown(const ShutdownCommand& command) {
  constexpr auto kPoll = std::chrono::milliseconds(100);
  constexpr int kPolls = 1200;  // two minutes: the drain and every stop_timeout fit in it
  auto reply = call_api(command.home, "POST", "/v1/shutdown",
                        command.stop_apps ? R"({"stop_apps":true})" : std::string());
  if (!reply) {
    fmt::print(stderr, "baton: {}\n", reply.error().message);
    return reply.error().unreachable ? kUnreachable : kFailed;
  }
  if (reply->status != 202) {
    fmt::print(stderr, "baton: {}\n", error_of(reply->body));
    return kFailed;
  }
  for (int i = 0; i < kPolls; ++i) {
    auto status = call_api(command.home, "GET", "/v1/status");
    if (!status && status.error().unreachable) {
      fmt::print("{}\n", command.stop_apps
                               ? "the daemon and its apps stopped"
                               : "the daemon stopped; its apps keep running ('baton shutdown --stop-apps' stops them)");
      return kOk;
    }
    std::this_thread::sleep_for(kPoll);
  }
  fmt::print(stderr, "baton: the daemon is still stopping; see its log\n");
  return kFailed;
}
}  // namespace baton::cli
