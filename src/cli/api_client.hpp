#pragma once
// The CLI's side of the control API: one HTTP request over the daemon's unix socket.
#include <expected>
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

std::expected<ApiReply, ApiError> call_api(const std::string& home, const std::string& method, const std::string& path,
                                           const std::string& body = {});
}  // namespace baton::cli
