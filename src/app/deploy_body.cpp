#include "app/deploy_body.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/json_text.hpp"
#include "base/units.hpp"
#include "config/canary_rules.hpp"

namespace baton {
using nlohmann::json;

std::expected<nlohmann::json, std::string> parse_body_object(std::string_view text) {
  auto body = text.empty() ? json::object() : json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return std::unexpected("the body must be a JSON object");
  return body;
}

std::expected<void, std::string> check_common_fields(const json& body, std::string_view own) {
  for (const auto& [key, value] : body.items()) {
    if (key == "detach" && !value.is_boolean()) return std::unexpected("detach must be true or false");
    if (key == "who" && !value.is_string()) return std::unexpected("who must be a string");
    if (key != "detach" && key != "who" && key != own) return std::unexpected("unknown field '" + key + "'");
  }
  return {};
}

namespace {
// A whole number from `low` to `high`, however JSON stored it (one past int64 reads negative).
bool in_range(const json& value, std::int64_t low, std::int64_t high = kMaxInstances) {
  return value.is_number_integer() && value.get<std::int64_t>() >= low && value.get<std::int64_t>() <= high;
}

std::expected<void, std::string> apply_command(const json& value, deploy::ReleaseSpec& spec) {
  if (value.is_string() && !value.get<std::string>().empty()) {
    spec.command = {value.get<std::string>()};
    spec.command_is_line = true;
    return {};
  }
  if (!value.is_array() || value.empty()) return std::unexpected("command must be a string or a non-empty array");
  spec.command.clear();
  for (const auto& word : value) {
    if (!word.is_string()) return std::unexpected("command must be an array of strings");
    spec.command.push_back(word.get<std::string>());
  }
  spec.command_is_line = spec.command.size() == 1;
  return {};
}

std::expected<void, std::string> apply_env(const json& value, deploy::ReleaseSpec& spec) {
  if (!value.is_object()) return std::unexpected("env must be an object of strings");
  for (const auto& [key, v] : value.items()) {
    if (key.empty() || key.find('=') != std::string::npos || !v.is_string())
      return std::unexpected("env: '" + key + "' needs a name without '=' and a string value");
    if (v.get<std::string>().find('\0') != std::string::npos)
      return std::unexpected("env: '" + key + "' must not contain a NUL character");
    auto same = std::find_if(spec.env.begin(), spec.env.end(), [&](const auto& e) { return e.first == key; });
    if (same != spec.env.end()) same->second = v.get<std::string>();
    else spec.env.emplace_back(key, v.get<std::string>());
  }
  return {};
}

std::expected<void, std::string> apply_targets(const json& value, deploy::ReleaseSpec& spec) {
  if (!value.is_array() || value.empty()) return std::unexpected("targets must be a non-empty array of addresses");
  if (!spec.external()) return std::unexpected("targets are for external services; this one runs a command");
  spec.targets.clear();
  spec.trust_targets = false;
  for (const auto& t : value) {
    auto address = t.is_string() ? parse_address(t.get<std::string>()) : std::unexpected(std::string("not a string"));
    if (!address) return std::unexpected("bad target " + json_text(t) + ": " + address.error());
    spec.targets.push_back(*address);
  }
  return {};
}

// A deploy's own settings: a canary's steps ([5, 25, 50] or "5,25,50"), interval ("60s"),
// pause_at (one of the steps); and the watch after a switch ("60s").
std::expected<void, std::string> apply_deploy_setting(const std::string& key, const json& value, DeployConfig& deploy) {
  auto& canary = deploy.canary;
  if (key == "steps") {
    std::expected<std::vector<unsigned>, std::string> steps;
    if (value.is_string()) {
      steps = parse_canary_steps(value.get<std::string>());
    } else if (value.is_array()) {
      std::vector<unsigned> shares;
      for (const auto& share : value) {
        if (!in_range(share, 0, 100)) return std::unexpected("steps must be whole percentages, e.g. [5, 25, 50]");
        shares.push_back(share.get<unsigned>());
      }
      if (auto checked = check_canary_steps(shares); !checked) steps = std::unexpected(checked.error());
      else steps = std::move(shares);
    } else {
      return std::unexpected("steps must be whole percentages, e.g. [5, 25, 50] or \"5,25,50\"");
    }
    if (!steps) return std::unexpected("steps: " + steps.error());
    canary.steps = std::move(*steps);
  } else if (key == "interval" || key == "watch") {
    auto interval = value.is_string() ? parse_duration(value.get<std::string>())
                                      : std::unexpected(std::string("not a string"));
    if (!interval || interval->count() <= 0)
      return std::unexpected(key + " must be a duration such as \"60s\"" +
                             (interval ? std::string() : ": " + interval.error()));
    if (key == "watch") deploy.watch = *interval;
    else canary.interval = *interval;
  } else {
    if (!in_range(value, 1, 99)) return std::unexpected("pause_at must be a share from 1 to 99");
    canary.pause_at = value.get<unsigned>();
  }
  return {};
}
}  // namespace

std::expected<deploy::DeployRequest, std::string> deploy_request(const json& body, deploy::ReleaseSpec spec,
                                                                 const std::string& service) {
  deploy::DeployRequest request{.service = service};
  for (const auto& [key, value] : body.items()) {
    std::expected<void, std::string> applied;
    if (key == "command") applied = apply_command(value, spec);
    else if (key == "env") applied = apply_env(value, spec);
    else if (key == "targets") applied = apply_targets(value, spec);
    else if (key == "steps" || key == "interval" || key == "pause_at" || key == "watch")
      applied = apply_deploy_setting(key, value, spec.deploy);
    else if (key == "instances") {
      if (!in_range(value, 1))
        return std::unexpected("instances must be a number from 1 to 1000");
      spec.instances = value.get<unsigned>();
    } else if (key == "cwd" || key == "version" || key == "strategy" || key == "who" || key == "from" ||
               key == "artifact") {
      if (!value.is_string()) return std::unexpected(key + " must be a string");
      auto text = value.get<std::string>();
      if (key == "cwd") spec.cwd = text;
      else if (key == "from") request.from = text;
      else if (key == "artifact") request.artifact = text;
      else if (key == "version") request.version = text;
      else if (key == "who") request.who = text;
      else if (auto strategy = parse_strategy(text)) request.strategy = strategy;
      else return std::unexpected("unknown strategy '" + text + "': use rolling, blue-green, recreate or canary");
    } else if (key == "detach" && !value.is_boolean()) {
      return std::unexpected("detach must be true or false");
    } else if (key != "detach") {
      return std::unexpected("unknown field '" + key + "'");
    }
    if (!applied) return std::unexpected(applied.error());
  }
  bool canary_fields = body.contains("steps") || body.contains("interval") || body.contains("pause_at");
  if (canary_fields && request.strategy.value_or(spec.deploy.strategy) != Strategy::canary)
    return std::unexpected("steps, interval and pause_at are a canary's: add \"strategy\": \"canary\"");
  auto strategy = request.strategy.value_or(spec.deploy.strategy);
  if (body.contains("watch") && strategy != Strategy::rolling && strategy != Strategy::blue_green)
    return std::unexpected(fmt::format("watch is for rolling and blue-green deploys, not {} (a canary is judged at "
                                       "every step)",
                                       to_string(strategy)));
  const auto& canary = spec.deploy.canary;
  if (canary.pause_at && std::ranges::find(canary.steps, *canary.pause_at) == canary.steps.end())
    return std::unexpected(fmt::format("pause_at {} is not one of the steps ({})", *canary.pause_at,
                                       fmt::join(canary.steps, ",")));
  if (body.contains("artifact")) {
    if (body.contains("from")) return std::unexpected("from and artifact cannot go together: give one");
    if (request.artifact.size() != 32 ||
        !std::ranges::all_of(request.artifact, [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
      return std::unexpected("artifact must be the id an upload to POST /v1/services/NAME/artifacts answered");
    if (body.contains("cwd")) return std::unexpected("artifact and cwd cannot go together: the upload is the release's cwd");
    if (spec.external()) return std::unexpected("artifact is for a service Baton runs (with command), not one with targets");
  }
  if (!request.from.empty() && body.contains("cwd"))
    return std::unexpected("from and cwd cannot go together: the copy of from is the release's cwd");
  if (!request.from.empty() && (request.from.front() != '/' || request.from.find('\0') != std::string::npos))
    return std::unexpected("from must be an absolute path (the CLI sends one)");
  if (!request.from.empty() && spec.external())
    return std::unexpected("from is for a service Baton runs (with command), not one with targets");
  request.spec = std::move(spec);
  return request;
}

std::expected<deploy::RollbackRequest, std::string> rollback_request(const json& body, const std::string& service) {
  if (auto checked = check_common_fields(body, "to"); !checked) return std::unexpected(checked.error());
  if (body.contains("to") && !body["to"].is_string()) return std::unexpected("to must be a release id like r3");
  return deploy::RollbackRequest{.service = service, .to = body.value("to", ""), .who = body.value("who", "")};
}

// The instance count a scale, stop or start asks for, or why the body is wrong.
std::expected<unsigned, std::string> scale_count(const json& body, const std::string& action, unsigned config_count) {
  if (auto checked = check_common_fields(body, "instances"); !checked) return std::unexpected(checked.error());
  if (action == "stop") {
    if (body.contains("instances")) return std::unexpected("stop takes no instance count");
    return 0u;
  }
  if (!body.contains("instances")) {
    if (action == "start") return config_count;
    return std::unexpected("scale needs \"instances\": a number from 0 to 1000");
  }
  const auto& value = body["instances"];
  unsigned low = action == "start" ? 1 : 0;
  if (!in_range(value, low))
    return std::unexpected(fmt::format("instances must be a number from {} to {}", low, kMaxInstances));
  return value.get<unsigned>();
}

std::expected<deploy::DeployRequest, std::string> parse_deploy_body(std::string_view text, deploy::ReleaseSpec base,
                                                                    const std::string& service) {
  auto body = parse_body_object(text);
  if (!body) return std::unexpected(body.error());
  return deploy_request(*body, std::move(base), service);
}
}  // namespace baton
