#pragma once
// Who an instance's process is, recorded so a restarted daemon re-adopts it instead of starting a
// duplicate, and never mistakes another process that got the same pid for it.
#include <sys/types.h>

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "base/unique_fd.hpp"

namespace baton::supervisor {
inline constexpr std::string_view kTokenVariable = "BATON_INSTANCE_TOKEN";

struct ProcessIdentity {
  pid_t pid = -1;
  std::uint64_t start_time = 0;  // clock ticks after boot, /proc/PID/stat field 22
  std::string boot_id;           // a pid and a start time only mean something within one boot
  std::string token;             // random, in the instance's environment as BATON_INSTANCE_TOKEN
  bool operator==(const ProcessIdentity&) const = default;
};

// 128 random bits in hex.
std::string new_token();
// /proc/sys/kernel/random/boot_id, read once.
std::expected<std::string, std::string> current_boot_id();
// The identity of a live process we started with `token` in its environment.
std::expected<ProcessIdentity, std::string> identify(pid_t pid, std::string token);

// Nothing when `recorded` still names the same live process, else why not.
std::expected<void, std::string> verify(const ProcessIdentity& recorded);

// A pidfd for the recorded process. Opened before the identity is verified: a pid reused between
// the two steps then fails verification rather than handing us a stranger's pidfd.
std::expected<UniqueFd, std::string> adopt(const ProcessIdentity& recorded);

std::expected<UniqueFd, std::string> open_pidfd(pid_t pid);
}  // namespace baton::supervisor
