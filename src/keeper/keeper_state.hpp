#pragma once
// What a keeper hands to the binary it re-executes itself as (`baton upgrade --keeper`):
// the descriptors that cross the exec and what they are. Plain text in one environment
// variable, so the new binary needs no link to the old one but this format.
#include <sys/types.h>

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace baton {
inline constexpr const char* kKeeperResumeVariable = "BATON_KEEPER_RESUME";
// With it, a keeper only checks that it could resume the state in the environment, and exits.
inline constexpr std::string_view kKeeperCheckResumeFlag = "--check-resume";

struct HeldListenerState {
  int fd = -1;
  std::string requested;  // the address as the daemon asked for it
  std::string bound;      // with the real port
  bool passed = false;    // taken from systemd's sockets: its unix file is not the keeper's to remove
};

struct PassedSocketState {
  int fd = -1;
  std::string name;  // from LISTEN_FDNAMES, "" when none
};

struct KeeperState {
  int lock_fd = -1;
  pid_t daemon = -1;  // -1: none runs (waiting to restart one)
  int link_fd = -1;
  std::int64_t daemon_started_ns = 0;  // CLOCK_MONOTONIC, the same on both sides of an exec
  std::int64_t restart_delay_ms = 0;
  bool served = false;         // the running daemon said ready
  bool passed_closed = false;  // a daemon said ready once: unclaimed passed sockets are closed
  std::vector<pid_t> draining;  // daemons that released everything but their open connections
  std::vector<HeldListenerState> held;
  std::vector<PassedSocketState> passed;
};

std::string encode_keeper_state(const KeeperState& state);
std::expected<KeeperState, std::string> decode_keeper_state(std::string_view text);
}  // namespace baton
