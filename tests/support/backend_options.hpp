#pragma once
// Command-line options of baton-test-backend, parsed without side effects so
// the flags that make it behave like a broken release can be unit-tested.
#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "net/address.hpp"

namespace baton::test_backend {

struct BackendOptions {
  std::optional<Address> tcp;
  std::optional<Address> unix_path;
  std::string name = "backend";
  int threads = 1;
  bool unhealthy = false;                                 // /health always 503
  std::optional<std::chrono::milliseconds> unhealthy_after;  // /health 503 from then on
  std::chrono::milliseconds startup_delay{0};             // before binding
  std::optional<std::chrono::milliseconds> exit_after;    // exit 1 then: a crashing release
  bool exit_immediately = false;                          // a release that never starts
  // A bad release that passes its health check: /hello fails this share of requests with a 500
  // (evenly spread) and answers after `latency`, from `misbehave_after` on.
  unsigned fail_percent = 0;
  std::chrono::milliseconds latency{0};
  std::chrono::milliseconds misbehave_after{0};
};

// `env_port` is $PORT: where a process manager tells the app to listen when
// no --listen is given.
std::expected<BackendOptions, std::string> parse_backend_options(int argc, const char* const* argv,
                                                                 std::optional<std::string_view> env_port);

}  // namespace baton::test_backend
