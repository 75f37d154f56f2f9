// The Baton config text of a whole ecosystem: a header, notes about the file, one table per app.
#include <fmt/format.h>

#include <map>
#include <set>

#include "cli/pm2_app.hpp"
#include "cli/pm2_import.hpp"

namespace baton::cli {
namespace {
using nlohmann::json;

constexpr std::size_t kCommentWidth = 100;

struct Apps {
  json list = json::array();
  std::vector<std::string> notes;  // about the file, not one app
};

std::expected<Apps, std::string> apps_of(const json& ecosystem) {
  Apps apps;
  if (ecosystem.is_array()) {
    apps.list = ecosystem;
  } else if (ecosystem.is_object() && ecosystem.contains("apps")) {
    const auto& list = ecosystem["apps"];
    if (!list.is_array() && !list.is_object()) return std::unexpected("'apps' is neither an array nor an object");
    apps.list = list.is_array() ? list : json::array({list});
    for (const auto& [key, value] : ecosystem.items()) {
      if (key == "apps") continue;
      if (key == "jlist_left_out" && value.is_string()) {
        apps.notes.push_back("left out of env: variables of the shell that started PM2, which it copies into every app (" +
                             value.get<std::string>() + ")");
        continue;
      }
      if (key == "deploy")
        apps.notes.push_back(fmt::format(
            "deploy = {}: PM2's deploy copies code to servers over ssh; Baton deploys a new release on the machine "
            "it runs on with 'baton deploy NAME' (docs/deploys.md), after your own copy step",
            shown_value(value)));
      else
        apps.notes.push_back(fmt::format("{} = {}: unknown top-level key of an ecosystem file", key, shown_value(value)));
    }
  } else if (ecosystem.is_object() && ecosystem.contains("script")) {
    apps.list = json::array({ecosystem});
  } else {
    return std::unexpected("no apps: expected module.exports = { apps: [ { name, script, ... } ] }");
  }
  if (apps.list.empty()) return std::unexpected("no apps: 'apps' is empty");
  return apps;
}

std::string key_line(const ServiceKey& key, bool live, std::string_view why_not) {
  std::string out = key.note.empty() ? "" : toml_comment(key.note, kCommentWidth);
  auto line = fmt::format("{} = {}", toml_key(key.key), toml_value(key.value));
  if (live) return out + line + "\n";
  return out + toml_comment(fmt::format("{}  {}", line, why_not));
}

std::string service_table(const ServiceDraft& draft, const std::string& listen_owner) {
  std::string out = "\n";
  if (draft.pm2_name != draft.name)
    out += toml_comment(fmt::format("PM2 app \"{}\" (Baton names take letters, digits, - and _)", draft.pm2_name));
  else
    out += toml_comment(fmt::format("PM2 app \"{}\"", draft.pm2_name));
  out += fmt::format("[services.{}]\n", toml_key(draft.name));
  for (const auto& key : draft.keys) {
    if (key.key == "listen" && !listen_owner.empty()) {
      out += key_line(key, false, fmt::format("(also service {}'s: give one of them hosts or path, or another port)", listen_owner));
      continue;
    }
    out += key_line(key, true, "");
  }
  for (const auto& note : draft.notes) out += toml_comment(note, kCommentWidth);
  if (draft.env.empty()) return out;
  out += fmt::format("\n[services.{}.env]\n", toml_key(draft.name));
  for (const auto& [name, value] : draft.env) out += fmt::format("{} = {}\n", toml_key(name), toml_string(value));
  return out;
}

std::string header(const Pm2ImportOptions& options) {
  auto env = options.env_name.empty() ? std::string() : fmt::format(", env_{} merged over env", options.env_name);
  return toml_comment(fmt::format(
      "Baton config imported by 'baton import pm2' from {}{}.\n"
      "Every PM2 option Baton has no equivalent for is a comment saying what to do instead.\n"
      "Check it with 'baton check --config FILE', run it with 'baton apply FILE'.",
      options.source_name, env));
}

const std::string* listen_of(const ServiceDraft& draft) {
  for (const auto& key : draft.keys)
    if (key.key == "listen") return std::get_if<std::string>(&key.value);
  return nullptr;
}
}  // namespace

std::expected<std::string, std::string> pm2_to_toml(const json& ecosystem, const Pm2ImportOptions& options) {
  auto apps = apps_of(ecosystem);
  if (!apps) return std::unexpected(apps.error());
  std::string out = header(options);
  for (const auto& note : apps->notes) out += toml_comment(note, kCommentWidth);
  std::set<std::string> names;
  std::map<std::string, std::string> listen_owners;
  bool env_found = options.env_name.empty();
  for (std::size_t index = 0; index < apps->list.size(); ++index) {
    Pm2AppContext context{.base_dir = options.base_dir, .cpus = options.cpus, .env_name = options.env_name, .index = index};
    auto draft = map_pm2_app(apps->list[index], context);
    if (!draft) return std::unexpected(draft.error());
    env_found = env_found || apps->list[index].contains("env_" + options.env_name);
    auto base = draft->name;
    for (int copy = 2; names.contains(draft->name); ++copy) draft->name = fmt::format("{}-{}", base.substr(0, 60), copy);
    if (draft->name != base)
      draft->notes.insert(draft->notes.begin(),
                          fmt::format("another app is named \"{}\" too: this one is imported as {}", base, draft->name));
    names.insert(draft->name);
    std::string owner;
    if (const auto* listen = listen_of(*draft)) {
      auto [found, fresh] = listen_owners.emplace(*listen, draft->name);
      if (!fresh) owner = found->second;
    }
    out += service_table(*draft, owner);
  }
  if (!env_found)
    return std::unexpected(fmt::format("--env {}: no app has an env_{} block", options.env_name, options.env_name));
  return out;
}
}  // namespace baton::cli
