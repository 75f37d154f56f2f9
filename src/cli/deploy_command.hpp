#pragma once
// `baton deploy`, `rollback`, `releases`, `pause`, `resume`, `scale`, `stop`, `start`, `restart` and `shutdown`: thin clients of
// the control API that show a deploy as it happens.
#include "cli/command_line.hpp"

namespace baton::cli {
int run_deploy(const DeployCommand& command);
int run_rollback(const RollbackCommand& command);
int run_releases(const ReleasesCommand& command);
int run_pause(const PauseCommand& command);
int run_service(const ServiceCommand& command);
int run_shutdown(const ShutdownCommand& command);
}  // namespace baton::cli
