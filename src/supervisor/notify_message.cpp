#include "supervisor/notify_message.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace baton::supervisor {
namespace {
constexpr std::size_t kMaxQuotedKey = 32;  // a bad key is quoted in the error up to this length

bool is_key_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

std::string quoted(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxQuotedKey)) {
    if (c >= 0x20 && c < 0x7f) out += c;
    else out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
  }
  return text.size() > kMaxQuotedKey ? out + "..." : out;
}

// One assignment into `message`, or why it is malformed.
std::optional<std::string> apply(std::string_view line, NotifyMessage& message) {
  auto eq = line.find('=');
  if (eq == std::string_view::npos) return fmt::format("'{}' is not KEY=VALUE", quoted(line));
  auto key = line.substr(0, eq);
  auto value = line.substr(eq + 1);
  if (key.empty() || !std::ranges::all_of(key, is_key_char))
    return fmt::format("'{}' is not a key (A-Z, 0-9 and '_')", quoted(key));
  auto only = [&](std::string_view allowed, bool& flag) -> std::optional<std::string> {
    if (value != allowed) return fmt::format("{}={} is not defined (only {}={})", key, quoted(value), key, allowed);
    flag = true;
    return std::nullopt;
  };
  if (key == "READY") return only("1", message.ready);
  if (key == "STOPPING") return only("1", message.stopping);
  if (key == "WATCHDOG") {
    if (value == "trigger") {
      message.watchdog_trigger = true;
      return std::nullopt;
    }
    return only("1", message.watchdog_ping);
  }
  if (key == "STATUS") message.status = std::string(value);
  return std::nullopt;
}
}  // namespace

std::expected<NotifyMessage, std::string> parse_notify_message(std::string_view datagram) {
  if (datagram.empty()) return std::unexpected("empty message");
  if (datagram.size() > kMaxNotifyMessage)
    return std::unexpected(fmt::format("{} bytes, more than {}", datagram.size(), kMaxNotifyMessage));
  if (datagram.find('\0') != std::string_view::npos) return std::unexpected("a NUL byte");
  NotifyMessage message;
  bool any = false;
  for (std::size_t start = 0; start < datagram.size();) {
    auto end = std::min(datagram.find('\n', start), datagram.size());
    auto line = datagram.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;  // sd_notify callers often end with a newline, or join with blank lines
    if (auto problem = apply(line, message)) return std::unexpected(*problem);
    any = true;
  }
  if (!any) return std::unexpected("no assignment");
  return message;
}
}  // namespace baton::supervisor
