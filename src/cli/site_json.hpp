#pragma once
// A site's releases as JSON: `baton site ls --json` prints it, the control API sends it
// (GET /v1/sites/NAME/releases) and a remote `baton site ls` reads it back.
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "site/site_store.hpp"

namespace baton::cli {
nlohmann::json site_release_json(const site::ReleaseInfo& release);
nlohmann::json site_releases_json(const std::vector<site::ReleaseInfo>& releases);  // {"releases": [...]}
// nullopt when a field is missing or of the wrong type.
std::optional<site::ReleaseInfo> parse_site_release(const nlohmann::json& json);
std::optional<std::vector<site::ReleaseInfo>> parse_site_releases(const nlohmann::json& json);
}  // namespace baton::cli
