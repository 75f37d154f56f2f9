#pragma once
// JSON shapes of the control API (docs/api.md).
#include <nlohmann/json.hpp>

#include "deploy/deploy_run.hpp"
#include "deploy/release.hpp"

namespace baton {
nlohmann::json release_json(const deploy::Release& release);
nlohmann::json event_json(const deploy::DeployEvent& event);
nlohmann::json run_json(const deploy::DeployRun& run);
}  // namespace baton
