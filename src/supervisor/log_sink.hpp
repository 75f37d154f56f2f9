#pragma once
// Instance output into the service's log file, one prefixed line at a time:
//   2026-11-22T10:00:00.123Z web#2@r3 out| text      (instance 2 of release r3)
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "net/asio.hpp"
#include "supervisor/defaults.hpp"
#include "base/log_file.hpp"
#include "base/timestamp.hpp"

namespace baton::supervisor {
enum class OutputStream { out, err };

// Starts with base/timestamp.hpp's format_timestamp.
std::string format_prefix(std::chrono::system_clock::time_point time, std::string_view label,
                          OutputStream stream);

// Cuts a byte stream into lines and writes each as `prefix + line + '\n'`. A line that grows past
// the limit without a newline is written in pieces of the limit, so a process printing no newline
// cannot make the daemon buffer without bound.
class LineFramer {
 public:
  explicit LineFramer(std::size_t max_line = defaults::kMaxLineBytes)
      : max_line_(max_line > 0 ? max_line : 1) {}
  void feed(std::string_view bytes, std::string_view prefix, std::string& out);
  // End of stream: the unterminated rest, if any, as a last line.
  void finish(std::string_view prefix, std::string& out);

 private:
  std::size_t max_line_;
  std::string partial_;
};

// Reads one of an instance's output pipes until end of file (every process holding its write end
// has exited or closed it), appending framed lines to `file`.
awaitable<void> pump_output(asio::posix::stream_descriptor pipe, std::shared_ptr<LogFile> file,
                            std::string label, OutputStream stream);
}  // namespace baton::supervisor
