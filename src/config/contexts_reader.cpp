#include "config/contexts_reader.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config/toml_guard.hpp"

namespace baton::config {
std::expected<RemoteContext, std::string> read_remote_context(const std::string& path, const std::string& name) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(fmt::format("--context {}: cannot read {}", name, path));
  std::ostringstream text;
  text << in.rdbuf();
  auto content = text.str();
  if (auto unsafe = config_detail::find_unsafe_text(content))
    return std::unexpected(fmt::format("{}:{}: invalid TOML: {}", path, unsafe->line, unsafe->what));
  toml::table document;
  try {
    document = toml::parse(content, path);
  } catch (const toml::parse_error& error) {
    return std::unexpected(fmt::format("{}:{}: invalid TOML: {}", path, error.source().begin.line, error.description()));
  }
  const auto* table = document[name].as_table();
  if (!table) return std::unexpected(fmt::format("{}: no context named '{}' (a [{}] table)", path, name, name));
  RemoteContext out;
  for (const auto& [key, value] : *table) {
    auto line = value.source().begin.line;
    const auto* text_value = value.as_string();
    if (key.str() != "remote" && key.str() != "token_file")
      return std::unexpected(fmt::format("{}:{}: unknown key '{}' in [{}]: use remote and token_file", path, line,
                                         key.str(), name));
    if (!text_value) return std::unexpected(fmt::format("{}:{}: '{}' in [{}] must be a string", path, line, key.str(), name));
    (key.str() == "remote" ? out.remote : out.token_file) = text_value->get();
  }
  if (out.remote.empty() || out.token_file.empty())
    return std::unexpected(fmt::format("{}: [{}] needs both remote and token_file", path, name));
  return out;
}
}  // namespace baton::config
