#pragma once
// One line of a service's log file (docs/supervisor.md, "Logs"), as `baton logs` reads it back:
//   2026-11-22T10:00:00.123Z web#2@r3 out| listening on 127.0.0.1:40123
#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace baton::cli {
inline constexpr unsigned kDefaultLogLines = 20;  // `baton logs` without -n

struct LogLine {
  std::string_view time;
  std::string_view service;
  unsigned instance = 0;
  std::string_view release;
  std::string_view stream;  // "out" or "err"
  std::string_view text;    // as the app wrote it
};

// nullopt for a line of another shape (a hook's line in NAME.deploy.log, the daemon's own log).
std::optional<LogLine> parse_log_line(std::string_view line);

// {"time":…,"service":…,"release":…,"instance":N,"stream":…,"line":…} (bytes that are not UTF-8
// become U+FFFD).
std::string log_line_json(const LogLine& line);

enum class StreamChoice { both, out, err };

// Which lines `baton logs` prints: --out or --err, --since.
struct LogFilter {
  StreamChoice stream = StreamChoice::both;
  std::string since;  // a timestamp as the lines start with one; empty: any time
  bool json = false;

  bool active() const { return stream != StreamChoice::both || !since.empty() || json; }
  // Whether `line` is printed; a line that does not parse only when no filter needs its fields.
  bool keeps(const std::optional<LogLine>& line) const;
  // What is printed for a kept line: the line, or its JSON.
  std::string render(std::string_view raw, const std::optional<LogLine>& line) const;
};

// --since: a duration back from `now` ("10m", "2h", "90s") or a UTC time ("2026-11-22T10:00"), as
// the timestamp the lines start with; the error says what is accepted.
std::expected<std::string, std::string> since_timestamp(std::string_view text, std::chrono::system_clock::time_point now);
}  // namespace baton::cli
