#pragma once
// `baton import pm2`: a PM2 ecosystem file (or `pm2 jlist` output) as the text of a Baton config.
#include <expected>
#include <string>

#include <nlohmann/json.hpp>

namespace baton::cli {
struct Pm2ImportOptions {
  std::string source_name;  // named in the header comment
  std::string base_dir;     // absolute: the ecosystem file's directory, for relative cwds
  std::string env_name;     // --env NAME: env_NAME merged over env
  unsigned cpus = 1;        // for instances "max"
};

// An ecosystem file's value: read as literals when it is written as literals, else (when node is
// on PATH) by node itself. Errors read "FILE:LINE:COL: why".
std::expected<nlohmann::json, std::string> read_ecosystem_file(const std::string& path);
// The same for text that is not in a file (standard input): no node fallback.
std::expected<nlohmann::json, std::string> read_ecosystem_text(const std::string& text, const std::string& name);

// `pm2 jlist` output (one entry per running process) as an ecosystem value: one app per name,
// with the options each was started with; runtime fields and PM2's defaults are left out.
std::expected<nlohmann::json, std::string> ecosystem_from_jlist(const nlohmann::json& jlist);

// The Baton config, as commented TOML.
std::expected<std::string, std::string> pm2_to_toml(const nlohmann::json& ecosystem, const Pm2ImportOptions& options);
}  // namespace baton::cli
