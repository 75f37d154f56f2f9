#include "config/deploy_reader.hpp"

#include <array>

#include <fmt/format.h>

#include "config/canary_rules.hpp"

namespace baton::config_detail {
namespace {
// Bounds that catch typos and nonsense values; none of them is tuning advice.
constexpr Range<std::uint32_t> kMaxSurgeRange{1, 256};
constexpr Range<std::uint32_t> kKeptAppReleasesRange{1, 100};
constexpr Range<std::uint32_t> kMaxPausedRequestsRange{1, 1'000'000};
constexpr Range<std::uint32_t> kMinRequestsRange{1, 1'000'000};
constexpr Range<std::uint32_t> kMaxExtensionsRange{0, 100};

bool is_blank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == text.npos; }

void read_strategy(TableReader& r, DeployConfig& deploy) {
  std::string name;
  if (!r.read("strategy", name)) return;
  if (auto strategy = parse_strategy(name)) {
    deploy.strategy = *strategy;
    return;
  }
  const std::array<std::string_view, 4> names = {to_string(Strategy::rolling), to_string(Strategy::blue_green),
                                                  to_string(Strategy::recreate), to_string(Strategy::canary)};
  r.check_choice("strategy", name, names);
}

void read_canary(TableReader& r, CanaryConfig& canary) {
  if (r.has("canary_steps")) {
    std::vector<unsigned> steps;
    const auto* array = r.table().get("canary_steps")->as_array();
    bool whole = array != nullptr;
    if (array)
      for (const auto& element : *array) {
        auto* number = element.as_integer();
        if (!number || number->get() < 0 || number->get() > 100) whole = false;
        else steps.push_back(static_cast<unsigned>(number->get()));
      }
    if (!whole) r.fail_at("canary_steps", "must be an array of whole percentages, e.g. [5, 25, 50]");
    else if (auto checked = check_canary_steps(steps); !checked) r.fail_at("canary_steps", checked.error());
    else canary.steps = std::move(steps);
  }
  r.read_duration("canary_interval", canary.interval);
  std::string rate;
  if (r.read("max_error_rate", rate)) {
    if (auto parsed = parse_percent(rate)) canary.max_error_rate = *parsed;
    else r.fail_at("max_error_rate", parsed.error());
  }
  if (r.has("max_p99_ratio")) {
    auto ratio = r.table().get("max_p99_ratio")->value<double>();
    if (!ratio) r.fail_at("max_p99_ratio", "must be a number such as 1.5");
    else if (auto checked = check_p99_ratio(*ratio); !checked) r.fail_at("max_p99_ratio", checked.error());
    else canary.max_p99_ratio = *ratio;
  }
  r.read_duration("p99_floor", canary.p99_floor);
  r.read("min_requests", canary.min_requests, kMinRequestsRange);
  r.read("max_window_extensions", canary.max_extensions, kMaxExtensionsRange);
  std::string quiet;
  if (r.read("too_few_requests", quiet)) {
    const std::array<std::string_view, 2> choices = {"fail", "pass"};
    if (r.check_choice("too_few_requests", quiet, choices)) canary.pass_when_quiet = quiet == "pass";
  }
}

void read_hook(TableReader& r, std::string_view key, HookCommand& hook) {
  read_command_line(r, key, hook.command, hook.is_shell_string);
}
}  // namespace

bool read_command_line(TableReader& r, std::string_view key, std::vector<std::string>& argv,
                       bool& is_shell_string) {
  std::vector<LocatedString> args;
  bool is_string = false;
  if (!r.read_string_or_strings(key, args, is_string)) return false;
  if (is_string && is_blank(args.front().text)) {
    r.fail_at(key, "is empty; give the command line to run");
    return false;
  }
  if (args.empty()) {
    r.fail_at(key, "is empty; list the program and its arguments");
    return false;
  }
  if (args.front().text.empty()) {
    r.fail(args.front().line, fmt::format("{} starts with an empty program name", r.describe(key)));
    return false;
  }
  for (const auto& arg : args) {
    if (arg.text.find('\0') == std::string::npos) continue;
    r.fail(arg.line, fmt::format("{} must not contain a NUL character", r.describe(key)));
    return false;
  }
  argv.clear();
  for (auto& arg : args) argv.push_back(std::move(arg.text));
  is_shell_string = is_string;
  return true;
}

// Paths inside a release: relative, no "..", so a link can only be made where the release is.
void read_shared(TableReader& r, std::vector<std::string>& out) {
  std::vector<LocatedString> entries;
  if (!r.read_strings("shared", entries)) return;
  for (auto& entry : entries) {
    std::string_view path = entry.text;
    while (path.ends_with('/')) path.remove_suffix(1);
    bool bad = path.empty() || path.starts_with('/') || path.find('\0') != std::string_view::npos;
    for (std::size_t start = 0; !bad && start <= path.size();) {
      auto end = std::min(path.find('/', start), path.size());
      auto part = path.substr(start, end - start);
      bad = part.empty() || part == "." || part == "..";
      start = end + 1;
    }
    if (bad) {
      r.fail(entry.line, fmt::format("{}: '{}' must be a relative path inside the release (no '..', '.' or empty parts)",
                                     r.describe("shared"), entry.text));
      return;
    }
    out.emplace_back(path);
  }
}

void read_deploy(TableReader& r, DeployConfig& out) {
  read_strategy(r, out);
  r.read("max_surge", out.max_surge, kMaxSurgeRange);
  r.read_duration("standby_ttl", out.standby_ttl);
  r.read_duration("drain_timeout", out.drain_timeout);
  r.read_duration("deploy_timeout", out.deploy_timeout);
  r.read_duration("max_pause", out.max_pause);
  std::uint32_t max_paused = 0;
  if (r.read("max_paused_requests", max_paused, kMaxPausedRequestsRange))
    out.max_paused_requests = max_paused;
  r.read("version_affinity", out.version_affinity);
  read_hook(r, "pre_deploy", out.pre_deploy);
  read_hook(r, "smoke", out.smoke);
  read_hook(r, "post_deploy", out.post_deploy);
  r.read_duration("hook_timeout", out.hook_timeout);
  read_hook(r, "build", out.build);
  r.read_duration("build_timeout", out.build_timeout);
  r.read("keep", out.keep, kKeptAppReleasesRange);
  read_shared(r, out.shared);
  read_canary(r, out.canary);
  r.read_duration("watch", out.watch);
}
}  // namespace baton::config_detail
