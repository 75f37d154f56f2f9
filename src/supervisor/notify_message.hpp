#pragma once
// One datagram of the systemd notification protocol (sd_notify(3)): newline-separated KEY=VALUE
// assignments. Only what the supervisor acts on is kept; other well-formed keys (STATUS, MAINPID,
// ERRNO, EXTEND_TIMEOUT_USEC, ...) are accepted and ignored, as systemd ignores what it does not
// know. Pure: bytes in, a message or the reason it is malformed out.
#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace baton::supervisor {
// systemd reads at most this much of a notification (PIPE_BUF); a longer datagram is refused whole.
inline constexpr std::size_t kMaxNotifyMessage = 4096;

struct NotifyMessage {
  bool ready = false;             // READY=1: the app has started
  bool stopping = false;          // STOPPING=1: the app is going down on its own
  bool watchdog_ping = false;     // WATCHDOG=1: still alive
  bool watchdog_trigger = false;  // WATCHDOG=trigger: restart me now, as if the watchdog had fired
  std::optional<std::string> status;  // STATUS=...: free text, for logs
  bool operator==(const NotifyMessage&) const = default;
};

// Malformed: empty, longer than kMaxNotifyMessage, a NUL byte, a line without '=' or with a key
// that is not [A-Z0-9_]+, or READY, STOPPING, WATCHDOG with a value systemd does not define.
std::expected<NotifyMessage, std::string> parse_notify_message(std::string_view datagram);
}  // namespace baton::supervisor
