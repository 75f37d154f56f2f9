#pragma once
// Reads a service's output from HOME/logs (NAME.log, NAME.INDEX.log per instance; without a name,
// every output log): the last lines merged by time, then what is appended as it comes, through
// rotations and flushes. `baton logs` uses it on the daemon's machine, and the daemon for
// GET /v1/logs when the CLI is elsewhere, so both print the same lines.
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/log_line.hpp"

namespace baton::cli {
class LogReader {
 public:
  LogReader(std::filesystem::path dir, std::string service, LogFilter filter);
  bool has_files() const { return !files_.empty(); }
  // The last `count` kept lines of every file, merged by time (every kept line when nullopt), as
  // they are printed; the files are then read from where this left them.
  std::vector<std::string> tail(std::optional<unsigned> count);
  // Whole lines appended since the last call, and those of files that appeared (a new instance's).
  std::vector<std::string> poll();

 private:
  struct Printed {
    std::string time;  // the line's first word: every log line starts with its time
    std::string text;
  };
  struct Followed {
    ino_t inode = 0;
    std::uintmax_t offset = 0;
    std::string partial;  // the start of a line whose end has not been written yet
  };
  std::optional<Printed> take(std::string_view raw) const;
  void read_new_lines(const std::filesystem::path& path, Followed& at, std::vector<Printed>& out) const;
  static std::vector<std::string> in_order(std::vector<Printed> lines);

  std::filesystem::path dir_;
  std::string service_;
  LogFilter filter_;
  std::vector<std::filesystem::path> files_;
  std::map<std::filesystem::path, Followed> read_to_;
};
}  // namespace baton::cli
