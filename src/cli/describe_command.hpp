#pragma once
// `baton describe NAME [--json]`: one service in full, from GET /v1/services/NAME/describe.
#include <string>

#include <nlohmann/json.hpp>

#include "cli/command_line.hpp"

namespace baton::cli {
int run_describe(const DescribeCommand& command);
// The daemon's answer as the text `baton describe` prints.
std::string describe_text(const nlohmann::json& described);
}  // namespace baton::cli
