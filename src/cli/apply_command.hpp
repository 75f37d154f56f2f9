#pragma once
// `baton apply FILE`, `baton start NAME ... -- CMD` (register a service) and `baton delete NAME`:
// configuration changes the daemon validates whole, then carries out while the CLI shows them.
#include "cli/command_line.hpp"

namespace baton::cli {
int run_apply(const ApplyCommand& command);
// `start` with a command registers; `delete` forgets a registered service.
int run_register(const ServiceCommand& command);
int run_delete(const ServiceCommand& command);
}  // namespace baton::cli
