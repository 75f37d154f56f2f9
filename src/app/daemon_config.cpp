#include "app/daemon_config.hpp"

#include "app/state_recorder.hpp"
#include "config/loader.hpp"

namespace baton {
namespace {
std::expected<ConfigSourcesState, std::string> sources_for(const std::string& config_path, StateRecorder& state) {
  auto& store = state.config_store();
  auto registered = store.registered();
  if (!registered) return std::unexpected(registered.error());
  ConfigSourcesState sources{.path = config_path, .text = {}, .registered = std::move(*registered)};
  if (!config_path.empty()) {
    auto text = read_config_text(config_path);
    if (!text) return std::unexpected(text.error());
    sources.text = std::move(*text);
    return sources;
  }
  auto applied = store.applied();
  if (!applied) return std::unexpected(applied.error());
  if (*applied) {
    sources.path = (*applied)->path;
    sources.text = (*applied)->text;
  }
  return sources;
}
}  // namespace

std::expected<DaemonConfig, std::string> load_daemon_config(const std::string& config_path, StateRecorder& state) {
  auto sources = sources_for(config_path, state);
  if (!sources) return std::unexpected(sources.error());
  auto config = parse_sources(*sources);
  if (!config) {
    if (config_path.empty() && !sources->path.empty())
      return std::unexpected(config.error() + " (the file last applied; start with --config FILE to run another)");
    return std::unexpected(config.error());
  }
  if (!config_path.empty()) {
    auto saved = state.config_store().save_applied({.path = sources->path, .text = sources->text});
    if (!saved) return std::unexpected(saved.error());
  }
  return DaemonConfig{.sources = std::move(*sources), .config = std::make_shared<const Config>(std::move(*config))};
}
}  // namespace baton
