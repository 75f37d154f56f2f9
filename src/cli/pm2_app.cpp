#include "cli/pm2_app.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <utility>

#include "cli/pm2_mapping.hpp"

namespace baton::cli {
namespace {
using nlohmann::json;
using pm2_detail::AppMapping;
using pm2_detail::whole_number;

constexpr std::size_t kMaxServiceNameLength = 64;
constexpr std::size_t kMaxShownValue = 80;
constexpr std::int64_t kMaxInstances = 256;  // Baton's limit on instances
constexpr std::int64_t kMaxPort = 65535;

// PM2's interpreters by script extension; any other extension runs with node, none runs directly.
constexpr auto kInterpreterByExtension = std::to_array<std::pair<std::string_view, std::string_view>>({
    {".sh", "bash"}, {".py", "python3"}, {".rb", "ruby"}, {".php", "php"}, {".pl", "perl"},
    {".coffee", "coffee"}, {".ls", "lsc"}});

bool is_node(std::string_view interpreter) {
  auto base = std::filesystem::path(interpreter).filename().string();
  return base == "node" || base == "nodejs";
}

// PM2's args as a string: words split at blanks, quotes grouping, as a shell would.
std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == quote) quote = 0;
      else if (c == '\\' && quote == '"' && i + 1 < text.size()) word += text[++i];
      else word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < text.size()) {
      word += text[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::exchange(word, {}));
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

std::string as_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<std::string> words_of(const json* value) {
  if (!value || value->is_null()) return {};
  if (value->is_string()) return split_words(value->get<std::string>());
  std::vector<std::string> words;
  if (value->is_array())
    for (const auto& element : *value) words.push_back(as_text(element));
  else
    words.push_back(as_text(*value));
  return words;
}

std::string pm2_name_of(AppMapping& mapping, const std::string& script) {
  const json* name = mapping.take("name");
  if (name && name->is_string() && !name->get<std::string>().empty()) return name->get<std::string>();
  if (name && !name->is_null() && !name->is_string()) return as_text(*name);
  // PM2 names an unnamed app after its script, without the extension.
  auto stem = std::filesystem::path(script).stem().string();
  return stem.empty() ? fmt::format("app-{}", mapping.context().index) : stem;
}

std::string interpreter_for(AppMapping& mapping, const std::string& script, bool& from_extension) {
  const json* interpreter = mapping.take_either("interpreter", "exec_interpreter");
  from_extension = false;
  if (interpreter && interpreter->is_string() && !interpreter->get<std::string>().empty())
    return interpreter->get<std::string>();
  auto extension = std::filesystem::path(script).extension().string();
  std::ranges::transform(extension, extension.begin(), [](unsigned char c) { return std::tolower(c); });
  if (extension.empty()) return "none";
  from_extension = true;
  for (auto [known, program] : kInterpreterByExtension)
    if (extension == known) return std::string(program);
  return "node";
}

void map_command(AppMapping& mapping, const std::string& script) {
  bool from_extension = false;
  auto interpreter = interpreter_for(mapping, script, from_extension);
  auto interpreter_args = words_of(mapping.take("interpreter_args"));
  const json* node_args = mapping.take("node_args");
  std::vector<std::string> command;
  std::string note;
  if (interpreter == "none") {
    auto program = script;
    if (program.find('/') == std::string::npos) {
      if (program.find('.') != std::string::npos) program = "./" + program;
      else note = fmt::format("'{}' is looked up on PATH: write './{}' if it is a file in cwd", script, script);
    }
    command.push_back(program);
    if (!interpreter_args.empty())
      mapping.note("interpreter_args", *mapping.app().find("interpreter_args"),
                   "the script runs directly (interpreter none), so there is no interpreter to pass them to");
  } else {
    command.push_back(interpreter);
    if (from_extension && interpreter == "python3")
      note = "PM2 runs .py scripts with 'python'; this uses python3";
    if (is_node(interpreter)) {
      auto node_words = words_of(node_args);
      command.insert(command.end(), node_words.begin(), node_words.end());
    } else if (node_args && !words_of(node_args).empty()) {
      mapping.note("node_args", *node_args, fmt::format("only for node, and this app runs with {}", interpreter));
    }
    command.insert(command.end(), interpreter_args.begin(), interpreter_args.end());
    command.push_back(script);
  }
  if (node_args && interpreter == "none" && !words_of(node_args).empty())
    mapping.note("node_args", *node_args, "only for node, and this script runs directly (interpreter none)");
  auto args = words_of(mapping.take("args"));
  command.insert(command.end(), args.begin(), args.end());
  mapping.key("command", command, note);
}

void map_cwd(AppMapping& mapping) {
  namespace fs = std::filesystem;
  const json* cwd = mapping.take("cwd");
  fs::path base = mapping.context().base_dir;
  if (!cwd || !cwd->is_string() || cwd->get<std::string>().empty()) {
    if (cwd && !cwd->is_null()) mapping.note("cwd", *cwd, "not a directory name");
    mapping.key("cwd", base.lexically_normal().string(),
                "no cwd in PM2 (it used the directory 'pm2 start' ran in): the ecosystem file's directory");
    return;
  }
  fs::path dir = cwd->get<std::string>();
  auto absolute = (dir.is_absolute() ? dir : base / dir).lexically_normal().string();
  if (absolute.size() > 1 && absolute.back() == '/') absolute.pop_back();
  mapping.key("cwd", absolute, dir.is_absolute() ? "" : fmt::format("PM2 cwd '{}', from the ecosystem file's directory", dir.string()));
}

void map_instances(AppMapping& mapping) {
  const json* instances = mapping.take("instances");
  const json* mode = mapping.take("exec_mode");
  auto cpus = static_cast<std::int64_t>(std::max(1u, mapping.context().cpus));
  std::int64_t count = 1;
  std::string note;
  if (instances && !instances->is_null()) {
    auto number = whole_number(*instances);
    if (instances->is_string() && instances->get<std::string>() == "max") number = 0;
    if (!number) {
      mapping.note("instances", *instances, "not a number of instances: 1 is used");
    } else if (*number <= 0) {
      // PM2: 0 and "max" are one per CPU, -N is that many fewer.
      count = std::max<std::int64_t>(1, cpus + *number);
      note = fmt::format("PM2 instances {}: {} on this machine ({} CPUs); PM2 would count the CPUs of each machine it runs on",
                         shown_value(*instances), count, cpus);
    } else {
      count = *number;
    }
  }
  if (count > kMaxInstances) {
    note = fmt::format("PM2 instances {}: Baton runs at most {}", shown_value(*instances), kMaxInstances);
    count = kMaxInstances;
  }
  mapping.instances = count;
  mapping.key("instances", count, note);
  if (mode && !mode->is_null()) {
    bool cluster = mode->is_string() && mode->get<std::string>().starts_with("cluster");
    mapping.note("exec_mode", *mode,
                 cluster ? "Baton runs each instance as its own process on its own PORT and balances requests over them"
                         : "every Baton instance is a process of its own");
  }
}

json merged_env(AppMapping& mapping) {
  json env = json::object();
  if (const json* base = mapping.take("env"); base && base->is_object()) env = *base;
  else if (base && !base->is_null()) mapping.note("env", *base, "not an object: ignored");
  const auto& name = mapping.context().env_name;
  for (const auto& [key, value] : mapping.app().items()) {
    if (!key.starts_with("env_")) continue;
    mapping.take(key);
    if (name.empty() || key.substr(4) != name) {
      mapping.note(key, value, fmt::format("not used: 'baton import pm2 --env {}' merges it over env", key.substr(4)));
    } else if (value.is_object()) {
      for (const auto& [variable, setting] : value.items()) env[variable] = setting;
    } else {
      mapping.note(key, value, "not an object: ignored");
    }
  }
  return env;
}

bool is_env_name(std::string_view name) {
  auto start = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  return !name.empty() && start(name[0]) &&
         std::ranges::all_of(name, [&](char c) { return start(c) || (c >= '0' && c <= '9'); });
}

void map_port(AppMapping& mapping, const json* port) {
  auto number = port ? whole_number(*port) : std::nullopt;
  if (port && (!number || *number < 1 || *number > kMaxPort)) {
    mapping.note("env.PORT", *port, "not a port: this app is imported as a worker");
    port = nullptr;
  }
  if (!port) {
    mapping.draft().notes.push_back(
        "no PORT in env: imported as a worker (no listen, no port). If this app serves HTTP, add "
        "listen = \"0.0.0.0:3000\" and make it listen on $PORT");
    return;
  }
  mapping.key("listen", fmt::format("0.0.0.0:{}", *number),
              fmt::format("PORT {} was the app's port: Baton now listens there and gives each instance a port of "
                          "its own in PORT, so the app must listen on $PORT (process.env.PORT)",
                          *number));
}

void map_env(AppMapping& mapping) {
  json env = merged_env(mapping);
  const json* port = env.contains("PORT") ? &env["PORT"] : nullptr;
  map_port(mapping, port);
  for (const auto& [name, value] : env.items()) {
    if (name == "PORT") continue;
    if (!is_env_name(name) || name.starts_with("BATON_")) {
      mapping.note("env." + name, value, is_env_name(name) ? "BATON_* names are Baton's: left out" : "not a variable name Baton takes: left out");
      continue;
    }
    mapping.draft().env.emplace_back(name, as_text(value));
  }
}
}  // namespace

std::string service_name_from(std::string_view pm2_name) {
  std::string name;
  for (char c : pm2_name.substr(0, kMaxServiceNameLength)) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    name += allowed ? c : '-';
  }
  return name.empty() ? "app" : name;
}

std::string shown_value(const json& value) {
  auto text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() <= kMaxShownValue) return text;
  return text.substr(0, kMaxShownValue - 3) + "...";
}

std::expected<ServiceDraft, std::string> map_pm2_app(const json& app, const Pm2AppContext& context) {
  if (!app.is_object()) return std::unexpected(fmt::format("apps[{}] is not an object", context.index));
  AppMapping mapping(app, context);
  const json* script = mapping.take("script");
  if (!script || !script->is_string() || script->get<std::string>().empty()) {
    auto name = app.contains("name") ? shown_value(app["name"]) : "without a name";
    return std::unexpected(fmt::format("apps[{}] ({}) has no script: PM2 needs one too", context.index, name));
  }
  auto script_path = script->get<std::string>();
  mapping.draft().pm2_name = pm2_name_of(mapping, script_path);
  mapping.draft().name = service_name_from(mapping.draft().pm2_name);
  map_command(mapping, script_path);
  map_cwd(mapping);
  map_instances(mapping);
  map_env(mapping);
  pm2_detail::map_limits_and_restarts(mapping);
  pm2_detail::map_logs_and_account(mapping);
  pm2_detail::note_remaining_options(mapping);
  return std::move(mapping.draft());
}
}  // namespace baton::cli
