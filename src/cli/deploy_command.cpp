#include "cli/deploy_command.hpp"

#include <fmt/format.h>

#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/api_client.hpp"

namespace baton::cli {
namespace {
using nlohmann::json;

// 4xx: the request itself was wrong (2), 409: the daemon refused it as things stand (1).
int exit_code_for(unsigned status) { return status == 409 || status >= 500 ? kFailed : kUsage; }

std::string error_of(const std::string& body) {
  auto parsed = json::parse(body, nullptr, false);
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()) return parsed["error"];
  return body;
}

// The exit code when the call failed or the daemon refused, after saying why; nothing on a 200.
std::optional<int> failure_exit(const std::expected<ApiReply, ApiError>& reply) {
  if (!reply) {
    fmt::print(stderr, "baton: {}\n", reply.error().message);
    return reply.error().unreachable ? kUnreachable : kFailed;
  }
  if (reply->status == 200) return std::nullopt;
  fmt::print(stderr, "baton: {}\n", error_of(reply->body));
  return exit_code_for(reply->status);
}

// Terminals get the "instances" lines rewritten in place; everything else gets one line per event.
class EventPrinter {
 public:
  explicit EventPrinter(Progress progress) : progress_(progress) {}

  void print(std::string_view line) {
    auto event = json::parse(line, nullptr, false);
    if (!event.is_object()) return;
    auto kind = event.value("event", "");
    if (progress_ == Progress::json) {
      // The exit code still follows the end event's outcome.
      if (kind == "end") ok_ = event.value("ok", false);
      fmt::print("{}\n", line);
      std::fflush(stdout);
      return;
    }
    if (kind == "end") {
      ok_ = event.value("ok", false);
      end_line(event);
      return;
    }
    bool in_place = progress_ == Progress::terminal && kind == "instances";
    if (rewriting_ && !in_place) fmt::print("\n");
    fmt::print("{}[{:6.1f}s] {}{}", in_place ? "\r" : "", event.value("elapsed_ms", 0) / 1000.0,
               event.value("message", ""), in_place ? "" : "\n");
    rewriting_ = in_place;
    std::fflush(stdout);
  }
  bool ok() const { return ok_; }

 private:
  void end_line(const json& event) {
    if (rewriting_) fmt::print("\n");
    auto kind = event.value("kind", std::string("deploy"));
    auto seconds = event.value("elapsed_ms", 0) / 1000.0;
    if (ok_ && (kind == "deploy" || kind == "rollback"))
      fmt::print("ok: {} is live ({:.1f}s)\n", event.value("release", ""), seconds);
    else if (ok_)
      fmt::print("ok: {} done ({:.1f}s)\n", kind, seconds);
    else {
      auto reason = event.value("reason", std::string("unknown reason"));
      fmt::print(stderr, "failed: {}; the live release kept serving\n", reason.substr(0, reason.find('\n')));
    }
  }

  Progress progress_;
  bool rewriting_ = false;
  bool ok_ = false;
};

int run_streamed(const std::string& home, const std::string& path, const json& body, Progress progress) {
  EventPrinter printer(progress);
  bool ended = false;
  auto reply = stream_api(home, "POST", path, body.dump(), [&](std::string_view line) {
    ended = ended || line.find("\"event\":\"end\"") != std::string_view::npos;
    printer.print(line);
  });
  if (!reply) {
    fmt::print(stderr, "baton: {}\n", reply.error().message);
    return reply.error().unreachable ? kUnreachable : kFailed;
  }
  if (reply->status == 202) {
    auto accepted = json::parse(reply->body, nullptr, false);
    fmt::print("started {} of {}; follow it with 'baton status'\n", accepted.value("release", "?"), path);
    return kOk;
  }
  if (reply->status != 200) {
    fmt::print(stderr, "baton: {}\n", error_of(reply->body));
    return exit_code_for(reply->status);
  }
  if (!ended) {
    fmt::print(stderr, "baton: the daemon stopped answering before the end; see 'baton status'\n");
    return kFailed;
  }
  return printer.ok() ? kOk : kFailed;
}
}  // namespace

int run_deploy(const DeployCommand& command) {
  json body = json::object();
  if (!command.version.empty()) body["version"] = command.version;
  if (!command.strategy.empty()) body["strategy"] = command.strategy;
  if (command.instances) body["instances"] = *command.instances;
  if (!command.cwd.empty()) body["cwd"] = command.cwd;
  if (!command.command.empty()) body["command"] = command.command;
  if (!command.targets.empty()) body["targets"] = command.targets;
  if (!command.env.empty()) {
    json env = json::object();
    for (const auto& pair : command.env) {
      auto eq = pair.find('=');
      if (eq == std::string::npos || eq == 0) {
        fmt::print(stderr, "baton: --env needs NAME=VALUE, got '{}'\n", pair);
        return kUsage;
      }
      env[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
    body["env"] = env;
  }
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
  auto releases = json::parse(reply->body, nullptr, false);
  fmt::print("{:<6} {:<20} {:<12} {:>9} {:<14} {}\n", "ID", "VERSION", "STATUS", "INSTANCES", "BY", "REASON");
  for (const auto& r : releases.value("releases", json::array()))
    fmt::print("{:<6} {:<20} {:<12} {:>9} {:<14} {}\n", r.value("id", ""), r.value("version", ""),
               r.value("status", ""), r.value("instances", 0u), r.value("created_by", ""),
               r.value("reason", "").substr(0, r.value("reason", "").find('\n')));
  return kOk;
}

int run_pause(const PauseCommand& command) {
  auto action = command.pause ? "pause" : "resume";
  auto reply = call_api(command.home, "POST", fmt::format("/v1/services/{}/{}", command.service, action));
  if (auto failed = failure_exit(reply)) return *failed;
  fmt::print("{}: {}\n", command.service, command.pause ? "paused, new requests wait" : "resumed");
  return kOk;
}

int run_service(const ServiceCommand& command) {
  json body = json::object();
  if (command.instances) body["instances"] = *command.instances;
  if (command.detach) body["detach"] = true;
  return run_streamed(command.home, fmt::format("/v1/services/{}/{}", command.service, command.action), body,
                      command.progress);
}

// Returns once the daemon no longer answers: its services have stopped.
int run_shutdown(const ShutdownCommand& command) {
  constexpr auto kPoll = std::chrono::milliseconds(100);
  constexpr int kPolls = 1200;  // two minutes: the drain and every stop_timeout fit in it
  auto reply = call_api(command.home, "POST", "/v1/shutdown");
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
      fmt::print("the daemon stopped\n");
      return kOk;
    }
    std::this_thread::sleep_for(kPoll);
  }
  fmt::print(stderr, "baton: the daemon is still stopping; see its log\n");
  return kFailed;
}
}  // namespace baton::cli
