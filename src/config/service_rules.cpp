#include "config/service_rules.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <csignal>
#include <utility>

#include <fmt/format.h>

namespace baton::config_detail {
namespace {
constexpr std::size_t kMaxServiceName = 64;
constexpr std::size_t kMaxHostName = 253;  // RFC 1035
constexpr std::size_t kMaxHostLabel = 63;
constexpr std::string_view kNoSpaces = "must not contain spaces or control characters";
constexpr std::string_view kHostPunctuation = ".-_:[]";  // names, IPv4, [IPv6], and a port
constexpr unsigned kMinStatus = 100;
constexpr unsigned kMaxStatus = 599;

constexpr std::array<std::string_view, 7> kStopSignalNames = {"TERM", "INT",  "QUIT", "HUP",
                                                              "USR1", "USR2", "KILL"};
constexpr std::array<int, 7> kStopSignalNumbers = {SIGTERM, SIGINT,  SIGQUIT, SIGHUP,
                                                   SIGUSR1, SIGUSR2, SIGKILL};

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

bool has_space_or_control(std::string_view text) {
  return std::ranges::any_of(text, [](unsigned char c) { return c <= ' ' || c == 0x7f; });
}

std::optional<unsigned> parse_status(std::string_view text) {
  unsigned value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

bool is_host_label(std::string_view label) {
  if (label.empty() || label.size() > kMaxHostLabel) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  return std::ranges::all_of(label, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

bool is_host_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxHostName) return false;
  for (std::size_t start = 0;;) {
    auto dot = name.find('.', start);
    if (!is_host_label(name.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}
}  // namespace

bool is_valid_service_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxServiceName && std::ranges::all_of(name, is_name_char);
}

std::expected<std::string, std::string> normalize_host(std::string_view host) {
  std::string lower(host);
  std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower.find(':') != std::string::npos)
    return std::unexpected(fmt::format("'{}' has a port; hosts match the name only", host));
  std::string_view name = lower;
  // Only a leading "*." is a wildcard; anything else would need a pattern language.
  if (name.starts_with("*.")) name.remove_prefix(2);
  if (!is_host_name(name))
    return std::unexpected(fmt::format("'{}' is not a host name (letters, digits, '-' and dots, "
                                       "optionally starting with '*.')", host));
  return lower;
}

std::optional<std::string> path_prefix_problem(std::string_view path) {
  if (!path.starts_with('/')) return fmt::format("must start with '/', not '{}'", path);
  if (has_space_or_control(path)) return std::string(kNoSpaces);
  for (char c : path)
    if (c == '?' || c == '#') return fmt::format("must not contain '{}': it is a path prefix", c);
  return std::nullopt;
}

std::optional<int> stop_signal_number(std::string_view name) {
  if (name.starts_with("SIG")) name.remove_prefix(3);
  auto it = std::ranges::find(kStopSignalNames, name);
  if (it == kStopSignalNames.end()) return std::nullopt;
  return kStopSignalNumbers[static_cast<std::size_t>(it - kStopSignalNames.begin())];
}

std::span<const std::string_view> stop_signal_names() { return kStopSignalNames; }

std::optional<std::string> env_name_problem(std::string_view name) {
  auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  bool valid = !name.empty() && !std::isdigit(static_cast<unsigned char>(name.front())) &&
               std::ranges::all_of(name, word_char);
  if (!valid)
    return fmt::format("'{}' is not a variable name (letters, digits and '_', not starting with "
                       "a digit)", name);
  if (name == "PORT") return std::string("'PORT' is reserved: Baton sets it to each instance's port");
  if (name.starts_with("BATON_"))
    return fmt::format("'{}' is reserved: Baton sets the BATON_* variables itself", name);
  return std::nullopt;
}

std::optional<std::string> cwd_problem(std::string_view dir) {
  if (!dir.starts_with('/')) return fmt::format("must be an absolute path, not '{}'", dir);
  if (dir.find('\0') != std::string_view::npos)
    return std::string("must not contain a NUL character");
  return std::nullopt;
}

std::optional<std::string> health_path_problem(std::string_view path) {
  if (!path.starts_with('/')) return fmt::format("must start with '/', not '{}'", path);
  // It goes into the request line as it is.
  if (has_space_or_control(path)) return std::string(kNoSpaces);
  if (path.find('#') != path.npos)
    return std::string("must not contain '#': a fragment is never sent");
  return std::nullopt;
}

std::optional<std::string> health_host_problem(std::string_view host) {
  auto host_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kHostPunctuation.find(c) != kHostPunctuation.npos;
  };
  if (host.empty()) return std::string("is empty; leave it out to send \"localhost\"");
  if (!std::ranges::all_of(host, host_char))
    return fmt::format("must be a host name, optionally with ':port', not '{}'", host);
  return std::nullopt;
}

std::expected<std::pair<unsigned, unsigned>, std::string> parse_status_range(std::string_view text) {
  auto dash = text.find('-');
  auto min = parse_status(text.substr(0, dash));
  auto max = dash == text.npos ? min : parse_status(text.substr(dash + 1));
  if (!min || !max)
    return std::unexpected(fmt::format("must be a status such as 200 or a range such as "
                                       "\"200-299\", not '{}'", text));
  for (unsigned status : {*min, *max})
    if (status < kMinStatus || status > kMaxStatus)
      return std::unexpected(fmt::format("{} is not an HTTP status (100-599)", status));
  if (*min > *max) return std::unexpected(fmt::format("'{}' ends below its start", text));
  return std::pair{*min, *max};
}
}  // namespace baton::config_detail
