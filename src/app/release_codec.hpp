#pragma once
// Releases as the state store keeps them: the whole spec as JSON, so a restarted
// daemon (or a rollback months later) runs exactly what was deployed, whatever
// the config file says by then.
#include <expected>
#include <string>

#include <nlohmann/json.hpp>

#include "deploy/release.hpp"
#include "state/records.hpp"

namespace baton {
nlohmann::json spec_to_json(const deploy::ReleaseSpec& spec);
// Fields missing from `json` keep their defaults (a file written by an older baton).
std::expected<deploy::ReleaseSpec, std::string> spec_from_json(const nlohmann::json& json);

state::ReleaseRecord to_record(const std::string& service, const deploy::Release& release);
std::expected<deploy::Release, std::string> from_record(const state::ReleaseRecord& record);
}  // namespace baton
