#include "app/version.hpp"

#include <cstring>

namespace baton {
// In a section of its own, so a build can be stamped with another version after the link:
// tests/upgrade makes a second Baton that differs from this one only there, to test upgrades
// between two builds. Not const, so the compiler reads it instead of folding the literal in.
[[gnu::section(".baton_version"), gnu::used]] char version_stamp[64] = BATON_VERSION;

std::string_view baton_version() { return {version_stamp, ::strnlen(version_stamp, sizeof version_stamp)}; }
}  // namespace baton
