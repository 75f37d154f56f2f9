#include "config/env_reader.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "base/dotenv.hpp"
#include "config/service_rules.hpp"

namespace baton::config_detail {
namespace {
using Env = std::vector<std::pair<std::string, std::string>>;

std::string resolve(const std::string& source, const std::string& file) {
  std::filesystem::path path(file);
  if (path.is_absolute()) return path.lexically_normal().string();
  return (std::filesystem::path(source).parent_path() / path).lexically_normal().string();
}

void add_name(std::vector<std::string>& names, const std::string& name) {
  if (std::ranges::find(names, name) == names.end()) names.push_back(name);
}

// Each file of `key` into `env`; their keys into `secrets` when given. false: a problem was reported.
bool read_files(TableReader& r, std::string_view key, Env& env, std::vector<std::string>* secrets) {
  std::vector<LocatedString> files;
  bool is_string = false;
  if (!r.read_string_or_strings(key, files, is_string)) return !r.failed();
  for (const auto& file : files) {
    if (file.text.empty()) {
      r.fail_value(file.line, key, "an empty file name");
      return false;
    }
    auto path = resolve(r.source(), file.text);
    auto entries = read_dotenv_file(path);
    if (!entries) {
      r.fail_value(file.line, key, entries.error());
      return false;
    }
    for (const auto& entry : *entries) {
      if (auto problem = env_name_problem(entry.key)) {
        r.fail_value(file.line, key, fmt::format("{}:{}: {}", path, entry.line, *problem));
        return false;
      }
      set_env_value(env, entry.key, entry.value);
      if (secrets) add_name(*secrets, entry.key);
    }
  }
  return true;
}

bool read_secret_names(TableReader& r, std::vector<std::string>& secrets) {
  std::vector<LocatedString> names;
  if (!r.read_strings("secret_env", names)) return !r.failed();
  for (const auto& name : names) {
    if (auto problem = env_name_problem(name.text)) {
      r.fail_value(name.line, "secret_env", *problem);
      return false;
    }
    add_name(secrets, name.text);
  }
  return true;
}
}  // namespace

void read_env_sources(TableReader& r, ServiceConfig& service) {
  Env merged;
  std::vector<std::string> secrets;
  if (!read_files(r, "env_file", merged, nullptr) || !read_files(r, "secret_env_file", merged, &secrets) ||
      !read_secret_names(r, secrets))
    return;
  for (const auto& [key, value] : service.env) {
    // The config file's text is kept in the state database (the last one applied): a secret there
    // would be stored in clear.
    if (std::ranges::find(secrets, key) != secrets.end())
      return r.fail_value(r.line_of("env"), "env",
                          fmt::format("'{}' is a secret (secret_env): put its value in an env_file or "
                                      "secret_env_file, not in the config file",
                                      key));
    set_env_value(merged, key, value);
  }
  service.env = std::move(merged);
  service.secret_env = std::move(secrets);
}
}  // namespace baton::config_detail
