#pragma once
#include <spdlog/spdlog.h>

#include <string_view>

namespace baton::log {
// Structured logging: messages are `key=value` fields, logged once where handled.
void init(std::string_view level);
// A new level for the running logger (a reloaded config).
void set_level(std::string_view level);

using spdlog::debug;
using spdlog::error;
using spdlog::info;
using spdlog::warn;
}  // namespace baton::log
