#include "backend_options.hpp"

#include <charconv>
#include <cstdint>

namespace baton::test_backend {
namespace {
constexpr int kMaxThreads = 64;

std::optional<std::uint64_t> whole_number(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::expected<std::chrono::milliseconds, std::string> milliseconds(std::string_view flag, std::string_view value) {
  auto ms = whole_number(value);
  if (!ms) return std::unexpected(std::string(flag) + " needs a number of milliseconds");
  return std::chrono::milliseconds(*ms);
}

// The flags that take a value.
std::expected<void, std::string> apply_valued(BackendOptions& options, std::string_view flag, std::string_view value) {
  if (flag == "--listen") {
    auto address = parse_address(value);
    if (!address || address->kind != Address::Kind::tcp)
      return std::unexpected("--listen needs host:port, e.g. 127.0.0.1:0");
    options.tcp = *address;
  } else if (flag == "--unix") {
    auto address = parse_address("unix:" + std::string(value));
    if (!address) return std::unexpected(address.error());
    options.unix_path = *address;
  } else if (flag == "--name") {
    options.name = value;
  } else if (flag == "--threads") {
    auto threads = whole_number(value);
    if (!threads || *threads < 1 || *threads > kMaxThreads)
      return std::unexpected("--threads needs a number from 1 to 64");
    options.threads = static_cast<int>(*threads);
  } else if (flag == "--fail-percent") {
    auto percent = whole_number(value);
    if (!percent || *percent > 100) return std::unexpected("--fail-percent needs a number from 0 to 100");
    options.fail_percent = static_cast<unsigned>(*percent);
  } else {
    auto ms = milliseconds(flag, value);
    if (!ms) return std::unexpected(ms.error());
    if (flag == "--unhealthy-after") options.unhealthy_after = *ms;
    else if (flag == "--startup-delay") options.startup_delay = *ms;
    else if (flag == "--exit-after") options.exit_after = *ms;
    else if (flag == "--latency") options.latency = *ms;
    else if (flag == "--misbehave-after") options.misbehave_after = *ms;
    else return std::unexpected("unknown option " + std::string(flag));
  }
  return {};
}

std::expected<void, std::string> listen_on_env_port(BackendOptions& options, std::string_view port) {
  auto number = whole_number(port);
  if (!number || *number > 65535) return std::unexpected("PORT must be a port number, not '" + std::string(port) + "'");
  options.tcp = parse_address("127.0.0.1:" + std::to_string(*number)).value();
  return {};
}
}  // namespace

std::expected<BackendOptions, std::string> parse_backend_options(int argc, const char* const* argv,
                                                                 std::optional<std::string_view> env_port) {
  BackendOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--unhealthy") {
      options.unhealthy = true;
      continue;
    }
    if (flag == "--exit-immediately") {
      options.exit_immediately = true;
      continue;
    }
    if (i + 1 >= argc) return std::unexpected(std::string(flag) + " needs a value");
    auto applied = apply_valued(options, flag, argv[++i]);
    if (!applied) return std::unexpected(applied.error());
  }
  if (!options.tcp && !options.unix_path && env_port) {
    auto applied = listen_on_env_port(options, *env_port);
    if (!applied) return std::unexpected(applied.error());
  }
  if (!options.tcp && !options.unix_path && !options.exit_immediately)
    return std::unexpected("give --listen and/or --unix (or set PORT)");
  return options;
}

}  // namespace baton::test_backend
