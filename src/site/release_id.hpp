#pragma once
// Names of release directories: the UTC time of the publish, to the microsecond, so that
// sorting names sorts releases from oldest to newest ("20250314-092653-123456").
#include <chrono>
#include <string>
#include <string_view>

namespace baton::site {
std::string make_release_id(std::chrono::system_clock::time_point when);
// The shape make_release_id() produces; anything else in releases/ is not a release.
bool is_release_id(std::string_view name);
}  // namespace baton::site
