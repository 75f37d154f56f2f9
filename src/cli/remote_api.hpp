#pragma once
// The CLI's side of a daemon's TCP admin listener ([control] admin_listen): requests with the
// bearer token, and uploads streamed in chunks of bounded size.
#include <expected>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "cli/api_client.hpp"

namespace baton::cli {
struct RemoteUrl {
  std::string host;  // a name or an IP, without brackets
  std::string port;
};

// "http://HOST[:PORT][/]"; plain HTTP only (for TLS, a proxy or a tunnel in front).
std::expected<RemoteUrl, std::string> parse_remote_url(std::string_view url);

struct Remote {
  RemoteUrl url;
  std::string token;
};

std::expected<ApiReply, ApiError> call_remote(const Remote& remote, const std::string& method, const std::string& path,
                                              const std::string& body = {});

using BodySink = std::function<std::expected<void, std::string>(std::span<const char> bytes)>;
// POSTs a body that `produce` writes into its sink as it goes (chunked; `Expect: 100-continue`,
// so a refusal comes back before any of it is sent). A failure of `produce` aborts the upload.
std::expected<ApiReply, ApiError> upload_remote(const Remote& remote, const std::string& path,
                                                std::string_view content_type,
                                                const std::function<std::expected<void, std::string>(const BodySink&)>& produce);
}  // namespace baton::cli
