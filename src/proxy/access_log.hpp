#pragma once
// One line per request, for the services that switch it on, in the daemon's access log file
// (HOME/logs/access.log): logfmt or JSON (docs/access-log.md). Each proxy thread formats into a
// buffer of its own, reused from request to request (no allocation once warm), and hands whole
// buffers to the file when they fill or at its next tick: one write per buffer, not per request.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <fmt/format.h>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/log_file.hpp"
#include "config/config.hpp"

namespace baton::proxy {
struct AccessRecord {
  std::chrono::system_clock::time_point time;  // when the request's head was read
  std::string_view request_id;
  std::string_view service;
  std::string_view client;
  std::string_view method;
  std::string_view path;
  unsigned status = 0;
  std::uint64_t bytes = 0;
  std::chrono::microseconds duration{0};
  std::string_view target;
  std::uint32_t retries = 0;
  std::string_view error;
};

// Appends `record` as one line (with its '\n') to `out`.
void format_access_line(const AccessRecord& record, AccessLogFormat format, fmt::memory_buffer& out);

// The file every proxy thread's lines go to; thread-safe.
class AccessLog {
 public:
  // An empty path: standard output (tests and tools that run a bare ProxyServer).
  static std::expected<std::unique_ptr<AccessLog>, std::string> open(const std::filesystem::path& path,
                                                                     const LogsConfig& settings);
  void write(std::string_view lines);
  // Opened again by name (SIGUSR1, after logrotate moved it).
  std::expected<void, std::string> reopen();
  // A reloaded config: the format of the next lines, the size of the next rotation.
  void configure(const LogsConfig& settings);
  AccessLogFormat format() const { return format_.load(std::memory_order_relaxed); }

 private:
  explicit AccessLog(std::shared_ptr<LogFile> file) : file_(std::move(file)) {}
  std::mutex mutex_;
  std::shared_ptr<LogFile> file_;  // null: standard output
  std::atomic<AccessLogFormat> format_{AccessLogFormat::logfmt};
};

// One proxy thread's lines on their way to the AccessLog.
class AccessLogBuffer {
 public:
  // Past this, the buffer goes to the file at once instead of at the next tick.
  static constexpr std::size_t kFlushBytes = 64 * 1024;

  void add(AccessLog& log, const AccessRecord& record);
  void flush(AccessLog& log);

 private:
  fmt::memory_buffer lines_;
};
}  // namespace baton::proxy
