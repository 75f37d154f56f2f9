#pragma once
#include <string_view>

namespace baton {
// This build's version, as `baton version` prints it and GET /v1/status reports it.
std::string_view baton_version();
}  // namespace baton
