#include "cli/human_units.hpp"

#include <fmt/format.h>

#include <chrono>

#include "base/timestamp.hpp"

namespace baton::cli {
std::string human_bytes(std::uint64_t bytes) {
  if (bytes >= (1u << 20)) return fmt::format("{:.1f}M", bytes / 1048576.0);
  return fmt::format("{}K", bytes / 1024);
}

std::string human_duration(std::int64_t ms) {
  if (ms < 60'000) return fmt::format("{}s", ms / 1000);
  if (ms < 3'600'000) return fmt::format("{}m", ms / 60'000);
  return fmt::format("{}h", ms / 3'600'000);
}

std::string time_text(std::int64_t unix_ms) {
  return format_timestamp(std::chrono::system_clock::time_point(std::chrono::milliseconds(unix_ms)));
}
}  // namespace baton::cli
