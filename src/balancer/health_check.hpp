#pragma once
// How to tell that one instance can serve: plain data, validated by the config loader.
#include <string>
#include <string_view>

#include "base/units.hpp"

namespace baton {
// Named defaults, shown by `baton status` and documented in docs/config.md.
namespace defaults {
inline constexpr Millis kHealthInterval{2'000};
inline constexpr Millis kHealthTimeout{2'000};
inline constexpr unsigned kHealthyThreshold = 1;
inline constexpr unsigned kUnhealthyThreshold = 3;
// Fast, so a deploy notices a freshly started app within a few milliseconds of it being ready;
// a connection refused by a loopback port costs next to nothing.
inline constexpr Millis kHealthStartupInterval{25};
inline constexpr unsigned kHealthExpectMin = 200;
inline constexpr unsigned kHealthExpectMax = 299;
inline constexpr std::string_view kHealthHost = "localhost";  // Host header when none is set
}  // namespace defaults

struct HealthCheck {
  enum class Kind { tcp, http };
  Kind kind = Kind::tcp;    // tcp: the port accepts a connection
  std::string path = "/";   // http: GET path
  std::string host;         // http Host header; empty: defaults::kHealthHost
  unsigned expect_min = defaults::kHealthExpectMin;  // accepted status range
  unsigned expect_max = defaults::kHealthExpectMax;
  Millis interval = defaults::kHealthInterval;  // between checks once healthy
  Millis timeout = defaults::kHealthTimeout;    // one probe: connect and response head
  unsigned healthy_threshold = defaults::kHealthyThreshold;      // consecutive successes
  unsigned unhealthy_threshold = defaults::kUnhealthyThreshold;  // consecutive failures
  Millis startup_interval = defaults::kHealthStartupInterval;    // until first healthy
  bool operator==(const HealthCheck&) const = default;
};
}  // namespace baton
