#pragma once
#include <string>

namespace baton {
// `baton upgrade --binary PATH`: 0 once the new binary serves, 1 with the reason otherwise.
int run_upgrade(const std::string& home, const std::string& binary);
}  // namespace baton
