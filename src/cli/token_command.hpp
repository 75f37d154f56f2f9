#pragma once
// `baton token create NAME --scope S`, `baton token ls [--json]`, `baton token revoke NAME`
// (/v1/tokens). A new token goes to standard output alone, so `... > ci.token` keeps it.
#include "cli/command_line.hpp"

namespace baton::cli {
int run_token(const TokenCommand& command);
}  // namespace baton::cli
