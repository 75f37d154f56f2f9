#pragma once
// Command line of baton-load, parsed without side effects.
#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace baton::load {

// An http:// URL; https is out of scope for a loopback load driver.
struct Url {
  std::string host;
  std::uint16_t port = 80;
  std::string target = "/";  // path and query
  std::string host_header() const;
};

std::expected<Url, std::string> parse_url(std::string_view text);

struct LoadOptions {
  Url url;
  int connections = 1;
  std::optional<std::chrono::duration<double>> duration;  // none: until SIGINT/SIGTERM
  std::optional<double> rate;                             // total requests per second
  bool cookies = false;
  bool json = false;
  bool progress = false;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{10000};
  int threads = 1;
  std::size_t body_bytes = 0;  // > 0: every request is a POST with a body this long
  std::string trace_path;      // non-empty: one line per request written there at the end
  bool help = false;
};

inline constexpr std::string_view kLoadUsage =
    "usage: baton-load --url http://HOST:PORT/PATH [--connections C] [--duration SECONDS]\n"
    "                  [--rate REQUESTS_PER_SECOND] [--cookies] [--json] [--progress]\n"
    "                  [--header NAME:VALUE]... [--timeout MS] [--threads N]\n"
    "                  [--body BYTES] [--trace FILE]\n"
    "--trace FILE writes one line per request: start (us since the run began), latency (us),\n"
    "status (0: no response), whether a new connection was opened for it, and its version.\n"
    "Every outcome is kept in memory until the end (about 100 bytes a request).\n";

std::expected<LoadOptions, std::string> parse_load_options(int argc, const char* const* argv);

}  // namespace baton::load
