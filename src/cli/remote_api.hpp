#pragma once
// The CLI's side of a daemon's TCP admin listener ([control] admin_listen): requests with the
// bearer token, and uploads streamed in chunks of bounded size.
#include <expected>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "cli/api_client.hpp"

namespace baton::cli {
struct RemoteUrl {
  std::string host;  // a name or an IP, without brackets
  std::string port;
};

// `text` as a path segment or query value: every byte but A-Z a-z 0-9 - . _ ~ as %XX.
std::string percent_encoded(std::string_view text);

// "http://HOST[:PORT][/]"; plain HTTP only (for TLS, a proxy or a tunnel in front).
std::expected<RemoteUrl, std::string> parse_remote_url(std::string_view url);

struct Remote {
  RemoteUrl url;
  std::string token;
};

// Where this command's requests go when it has --remote (or a context, or BATON_REMOTE): set once,
// before the command runs; call_api and stream_api then talk to that daemon instead of HOME's.
void use_remote(std::optional<Remote> remote);
const Remote* remote_in_use();

// --remote URL --token FILE, else --context NAME (or BATON_CONTEXT) from `contexts_file`, else
// BATON_REMOTE and BATON_TOKEN_FILE; nullopt when none is given. `env` reads a variable.
struct RemoteFlags {
  std::string remote;
  std::string token_file;
  std::string context;
};
// A context's URL and token file, from the contexts file (the config module reads it).
struct ContextEntry {
  std::string remote;
  std::string token_file;
};
using ContextLookup =
    std::function<std::expected<ContextEntry, std::string>(const std::string& file, const std::string& name)>;
std::expected<std::optional<Remote>, std::string> resolve_remote(const RemoteFlags& flags,
                                                                 const std::function<const char*(const char*)>& env,
                                                                 const ContextLookup& lookup);
// $XDG_CONFIG_HOME/baton/contexts.toml, else ~/.config/baton/contexts.toml.
std::string contexts_file(const std::function<const char*(const char*)>& env);

std::expected<ApiReply, ApiError> stream_remote(const Remote& remote, const std::string& method, const std::string& path,
                                                const std::string& body,
                                                const std::function<void(std::string_view line)>& on_line);

std::expected<ApiReply, ApiError> call_remote(const Remote& remote, const std::string& method, const std::string& path,
                                              const std::string& body = {});

using BodySink = std::function<std::expected<void, std::string>(std::span<const char> bytes)>;
// POSTs a body that `produce` writes into its sink as it goes (chunked; `Expect: 100-continue`,
// so a refusal comes back before any of it is sent). A failure of `produce` aborts the upload.
std::expected<ApiReply, ApiError> upload_remote(const Remote& remote, const std::string& path,
                                                std::string_view content_type,
                                                const std::function<std::expected<void, std::string>(const BodySink&)>& produce);
}  // namespace baton::cli
