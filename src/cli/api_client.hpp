#pragma once
// The CLI's side of the control API: one HTTP request over the daemon's unix socket.
#include <expected>
#include <functional>
#include <string_view>
#include <string>

namespace baton::cli {
struct ApiReply {
  unsigned status = 0;
  std::string body;
};

struct ApiError {
  bool unreachable = false;  // no daemon answers: exit code 3
  std::string message;
};

// Sends one request and hands each line of a streamed answer to `on_line` as it arrives. A
// non-streamed answer (an error) comes back whole in the reply's body instead.
std::expected<ApiReply, ApiError> stream_api(const std::string& home, const std::string& method,
                                             const std::string& path, const std::string& body,
                                             const std::function<void(std::string_view line)>& on_line);

std::expected<ApiReply, ApiError> call_api(const std::string& home, const std::string& method, const std::string& path,
                                           const std::string& body = {});
}  // namespace baton::cli
