#pragma once
// The CLI's named remote daemons, like kubectl's contexts: $XDG_CONFIG_HOME/baton/contexts.toml
// (else ~/.config/baton/contexts.toml), one table per context, chosen with --context NAME or
// BATON_CONTEXT:
//   [prod]
//   remote = "http://deploy.internal:9443"
//   token_file = "/home/me/.config/baton/prod.token"
#include <expected>
#include <string>

namespace baton::config {
struct RemoteContext {
  std::string remote;
  std::string token_file;
};

// The context `name` of the file at `path`; an error names the file, the line and the problem.
std::expected<RemoteContext, std::string> read_remote_context(const std::string& path, const std::string& name);
}  // namespace baton::config
