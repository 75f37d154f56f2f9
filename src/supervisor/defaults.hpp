#pragma once
// Named defaults of the supervisor, shown by `baton status` and documented in docs/config.md.
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>

#include "base/log_file.hpp"

namespace baton::supervisor::defaults {
using Millis = std::chrono::milliseconds;

inline constexpr Millis kBackoffInitial{100};     // delay before the first restart
inline constexpr Millis kBackoffMax{30'000};      // the delay doubles up to this
inline constexpr Millis kStableUptime{10'000};       // a run this long resets the backoff
inline constexpr unsigned kCrashLoopRuns = 5;     // consecutive short runs shown as a crash loop
inline constexpr int kStopSignal = SIGTERM;
inline constexpr Millis kStopTimeout{10'000};     // then SIGKILL for the whole process group
inline constexpr std::uint64_t kLogMaxSize = kDefaultLogMaxSize;  // per log file, before rotation
inline constexpr unsigned kLogKeep = kDefaultLogKeep;           // rotated files kept: file.1 … file.5
inline constexpr std::size_t kMaxLineBytes = 16 * 1024;    // a longer line is split
inline constexpr Millis kReadyPollInterval{50};   // connect attempts while an instance starts
inline constexpr Millis kMemoryCheckInterval{1'000};
inline constexpr Millis kGroupPollInterval{50};   // while the rest of a process group exits
inline constexpr Millis kKillWait{5'000};         // for SIGKILLed processes to be gone
inline constexpr Millis kOutputDrainTimeout{1'000};  // after a stop, for the last log lines
// A worker (no port) that does not notify is ready once it has run this long (PM2's min_uptime).
inline constexpr Millis kWorkerMinUptime{1'000};
inline constexpr std::chrono::microseconds kCpuMaxPeriod{100'000};  // cpu.max: cpu_max's share of each
}  // namespace baton::supervisor::defaults
