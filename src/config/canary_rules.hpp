#pragma once
// The rules of a canary's settings, shared by the config file, the deploy API and
// the CLI, so each says the same thing about the same mistake.
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace baton {
// Shares in percent: each from 1 to 99, strictly increasing, at most 20 steps.
std::expected<void, std::string> check_canary_steps(std::span<const unsigned> steps);
// "5,25,50" (the CLI's spelling), checked as above.
std::expected<std::vector<unsigned>, std::string> parse_canary_steps(std::string_view text);
// "1%", "0.5%": a fraction from 0 to 1 (0.01, 0.005).
std::expected<double, std::string> parse_percent(std::string_view text);
// The p99 ratio a canary may reach against the live release: from 1 to 100.
std::expected<void, std::string> check_p99_ratio(double ratio);
}  // namespace baton
