#pragma once
// JSON shapes of the control API (docs/api.md).
#include <expected>
#include <string>

#include <nlohmann/json.hpp>

#include "control/control_server.hpp"
#include "control/wire/progress.hpp"
#include "control/wire/releases.hpp"

#include "deploy/deploy_run.hpp"
#include "deploy/release.hpp"

namespace baton {
// The domain's values as the wire types (control/wire/) the CLI reads back.
control::wire::Release release_view(const deploy::Release& release);
control::wire::ProgressEvent progress_event(const deploy::DeployEvent& event);
nlohmann::json release_json(const deploy::Release& release);
nlohmann::json event_json(const deploy::DeployEvent& event);
nlohmann::json run_json(const deploy::DeployRun& run);
// A request's body as a JSON object (an empty body is an empty object), or why not.
std::expected<nlohmann::json, std::string> body_object(const control::Request& request);
}  // namespace baton
