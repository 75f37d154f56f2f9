#pragma once
#include <spdlog/spdlog.h>

#include <exception>
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/log_file.hpp"

namespace baton::log {
// Structured logging: messages are `key=value` fields, logged once where handled.
// To standard error, or with a `file` to that file, rotated by size; the file then also takes
// the process's standard output and error, so nothing written there is lost either.
std::expected<void, std::string> init(std::string_view level, const std::filesystem::path& file = {},
                                      LogRotation rotation = {});
// The log file opened again by name (SIGUSR1, after logrotate moved it); nothing without one.
std::expected<void, std::string> reopen_file();
// Later rotations of the log file use these sizes.
void set_rotation(LogRotation rotation);
// A new level for the running logger (a reloaded config).
void set_level(std::string_view level);

using spdlog::debug;
using spdlog::error;
using spdlog::info;
using spdlog::warn;

// What an exception says: its what(), or "unknown exception".
std::string describe(std::exception_ptr thrown);

// The completion of a spawned coroutine that reports errors as values (an accept loop, a timer
// loop, one control connection): if it throws anyway, the log says which task ended and why,
// where `asio::detached` would have dropped the exception without a word.
struct LogIfThrown {
  std::string task;
  void operator()(std::exception_ptr thrown) const;
};
}  // namespace baton::log
