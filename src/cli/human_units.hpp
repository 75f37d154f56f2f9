#pragma once
// Short forms for tables: "12.3M", "640K", "45s", "3m", "2h".
#include <cstdint>
#include <string>

namespace baton::cli {
std::string human_bytes(std::uint64_t bytes);
std::string human_duration(std::int64_t ms);
// A unix time in milliseconds as UTC, "2026-11-22T10:00:00.123Z".
std::string time_text(std::int64_t unix_ms);
}  // namespace baton::cli
