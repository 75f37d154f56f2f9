#pragma once
#include <chrono>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace baton {
using Millis = std::chrono::milliseconds;

// "250ms", "5s", "2m", "1h" (a bare number is seconds).
std::expected<Millis, std::string> parse_duration(std::string_view text);
// "512", "64k", "10m", "1g", "512MiB" (binary multiples; a bare number is bytes).
std::expected<std::uint64_t, std::string> parse_byte_size(std::string_view text);
// A share of CPU time in thousandths of a core: "50%" (of one core, one decimal) is 500, "1.5"
// (cores, three decimals) is 1500.
std::expected<std::uint32_t, std::string> parse_cpu_amount(std::string_view text);
std::string format_duration(Millis d);
}  // namespace baton
