#pragma once
#include <spdlog/spdlog.h>

#include <exception>
#include <string>
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
