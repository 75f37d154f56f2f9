#include "cli/apply_command.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/event_stream.hpp"

namespace baton::cli {
namespace {
using nlohmann::json;

int usage(const std::string& message) {
  fmt::print(stderr, "baton: {}\n", message);
  return kUsage;
}
}  // namespace

int run_apply(const ApplyCommand& command) {
  std::error_code ec;
  auto path = std::filesystem::absolute(command.path, ec);
  std::ifstream in(path, std::ios::binary);
  if (ec || !in || std::filesystem::is_directory(path, ec))
    return usage(fmt::format("cannot read {}: give the path of a TOML config file", command.path));
  std::ostringstream text;
  text << in.rdbuf();
  // The daemon reads the text sent, not the file: what was validated is what runs.
  json body{{"path", path.lexically_normal().string()}, {"text", text.str()}};
  return run_streamed(command.home, "/v1/apply", body, command.progress);
}

int run_register(const ServiceCommand& command) {
  // Without --listen it is a worker: no port, no route.
  json body{{"name", command.service}, {"command", command.command}};
  if (!command.listen.empty()) body["listen"] = command.listen;
  if (command.instances) body["instances"] = *command.instances;
  if (!command.health.empty()) body["health"] = command.health;
  if (!command.cwd.empty()) {
    std::error_code ec;
    body["cwd"] = std::filesystem::absolute(command.cwd, ec).lexically_normal().string();
  }
  if (command.socket_activation) body["socket_activation"] = true;
  if (command.notify) body["notify"] = true;
  for (const auto& [key, value] : command.settings) body[key] = value;
  if (command.max_restarts) body["max_restarts"] = *command.max_restarts;
  json env = json::object();
  for (const auto& pair : command.env) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) return usage(fmt::format("--env needs NAME=VALUE, got '{}'", pair));
    env[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  if (!env.empty()) body["env"] = env;
  return run_streamed(command.home, "/v1/services", body, command.progress);
}

int run_delete(const ServiceCommand& command) {
  return run_streamed(command.home, "/v1/services/" + command.service, json::object(), command.progress, "DELETE");
}
}  // namespace baton::cli
