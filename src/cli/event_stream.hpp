#pragma once
// How the CLI shows a streamed answer (a deploy, a scale, an apply): one line per event, the
// terminal's progress line rewritten in place, and the exit code from the end event.
#include <expected>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/api_client.hpp"
#include "cli/command_line.hpp"

namespace baton::cli {
// 4xx: the request itself was wrong (2); 401, 403, 409, 429 and 5xx: the daemon refused it as things
// stand, or no right token came with it (1).
int exit_code_for(unsigned status);
// The exit code when the call failed or the daemon refused, after saying why; nothing on a 200.
std::optional<int> failure_exit(const std::expected<ApiReply, ApiError>& reply);
// The "error" of a JSON error body, else the body.
std::string error_of(const std::string& body);
// Sends the request and prints its events until the end line; returns the exit code.
int run_streamed(const std::string& home, const std::string& path, const nlohmann::json& body, Progress progress,
                 const std::string& method = "POST");
}  // namespace baton::cli
