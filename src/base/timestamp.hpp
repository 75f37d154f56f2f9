#pragma once
// UTC with milliseconds, ISO 8601 ("2026-11-22T10:00:00.123Z"): sorts as text, and means the same on
// every machine. Every log line of Baton starts with one (services' output, the access log).
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace baton {
inline constexpr std::size_t kTimestampLength = 24;

// Writes exactly kTimestampLength characters; no allocation and no lock (gmtime_r takes glibc's
// time zone lock), so the proxy threads can stamp every request.
void write_timestamp(std::chrono::system_clock::time_point time, char* out);
std::string format_timestamp(std::chrono::system_clock::time_point time);

// "2026-11-22T10:00", "2026-11-22 10:00:05", "2026-11-22T10:00:05.250Z", "2026-11-22" (UTC, the
// 'Z' optional): the time point; nullopt for anything else, or a date that does not exist.
std::optional<std::chrono::system_clock::time_point> parse_timestamp(std::string_view text);
}  // namespace baton
