#include "cli/logs_command.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/api_client.hpp"
#include "cli/command_line.hpp"
#include "cli/event_stream.hpp"

namespace baton::cli {
namespace {
namespace fs = std::filesystem;
constexpr std::chrono::milliseconds kFollowPoll{200};

// A line to print, with the time it sorts by (its first word: every log line starts with its time).
struct Printed {
  std::string time;
  std::string text;
};

bool is_instance_number(std::string_view text) {
  return !text.empty() && std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; });
}

// NAME.log, and NAME.INDEX.log for each instance with `log_per_instance`; without a name, every
// *.log but the hooks' NAME.deploy.log (the daemon's and the access log hold no output lines).
std::vector<fs::path> log_files(const fs::path& dir, const std::string& service) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    auto name = entry.path().filename().string();
    if (!entry.is_regular_file(ec) || !name.ends_with(".log") || name.ends_with(".deploy.log")) continue;
    auto stem = std::string_view(name).substr(0, name.size() - 4);
    bool ours = service.empty() || stem == service ||
                (stem.starts_with(service + ".") && is_instance_number(stem.substr(service.size() + 1)));
    if (ours) files.push_back(entry.path());
  }
  std::ranges::sort(files);
  return files;
}

class LogPrinter {
 public:
  LogPrinter(const LogFilter& filter, bool every_service) : filter_(filter), every_service_(every_service) {}

  // The line as printed, or nullopt when the filter drops it. Without a name only output lines
  // count: daemon.log and access.log are in the same directory.
  std::optional<Printed> take(std::string_view raw) const {
    auto parsed = parse_log_line(raw);
    if (!filter_.keeps(parsed) || (every_service_ && !parsed)) return std::nullopt;
    return Printed{std::string(raw.substr(0, raw.find(' '))), filter_.render(raw, parsed)};
  }

  static void print(std::vector<Printed>& lines) {
    std::ranges::stable_sort(lines, {}, &Printed::time);
    for (const auto& line : lines) fmt::print("{}\n", line.text);
    std::fflush(stdout);
  }

 private:
  LogFilter filter_;
  bool every_service_;
};

struct Followed {
  ino_t inode = 0;
  std::uintmax_t offset = 0;
  std::string partial;  // the start of a line whose end has not been written yet
};

ino_t inode_of(const fs::path& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? info.st_ino : 0;
}

// The last `count` kept lines of every file, merged by time; returns where each file was read to.
std::map<fs::path, Followed> print_tail(const std::vector<fs::path>& files, std::optional<unsigned> count,
                                        const LogPrinter& printer) {
  std::vector<Printed> lines;
  std::map<fs::path, Followed> read_to;
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::deque<Printed> last;
    for (std::string line; std::getline(in, line);) {
      if (auto kept = printer.take(line)) last.push_back(std::move(*kept));
      if (count && last.size() > *count) last.pop_front();
    }
    std::ranges::move(last, std::back_inserter(lines));
    std::error_code ec;
    read_to[path] = {inode_of(path), fs::file_size(path, ec), ""};
  }
  std::ranges::stable_sort(lines, {}, &Printed::time);
  if (count && lines.size() > *count) lines.erase(lines.begin(), lines.end() - *count);
  LogPrinter::print(lines);
  return read_to;
}

// Whole lines appended to `path` since `at`; from the top of a new file once it was rotated away.
void read_new_lines(const fs::path& path, Followed& at, const LogPrinter& printer, std::vector<Printed>& out) {
  ino_t now = inode_of(path);
  if (now != at.inode) at = {now, 0, ""};
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  if (fs::file_size(path, ec) < at.offset) at.offset = 0;  // emptied (`baton flush`)
  in.seekg(static_cast<std::streamoff>(at.offset));
  std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  at.offset += chunk.size();
  at.partial += chunk;
  std::size_t start = 0;
  for (auto end = at.partial.find('\n'); end != std::string::npos; end = at.partial.find('\n', start)) {
    if (auto kept = printer.take(std::string_view(at.partial).substr(start, end - start))) out.push_back(std::move(*kept));
    start = end + 1;
  }
  at.partial.erase(0, start);
}

// Prints what is appended to every file, and to files that appear (a new instance's), until interrupted.
[[noreturn]] void follow(const fs::path& dir, const std::string& service, std::map<fs::path, Followed> files,
                         const LogPrinter& printer) {
  for (;;) {
    std::this_thread::sleep_for(kFollowPoll);
    for (const auto& path : log_files(dir, service)) files.try_emplace(path, Followed{inode_of(path), 0, ""});
    std::vector<Printed> lines;
    for (auto& [path, at] : files) read_new_lines(path, at, printer, lines);
    if (!lines.empty()) LogPrinter::print(lines);
  }
}
}  // namespace

int run_flush(const LogsCommand& command) {
  auto body = command.service.empty() ? std::string() : nlohmann::json{{"service", command.service}}.dump();
  auto reply = call_api(command.home, "POST", "/v1/logs/flush", body);
  if (!reply) {
    fmt::print(stderr, "baton: {}\n", reply.error().message);
    return reply.error().unreachable ? kUnreachable : kFailed;
  }
  if (reply->status != 200) {
    fmt::print(stderr, "baton: {}\n", error_of(reply->body));
    return reply->status == 404 ? kUsage : kFailed;
  }
  auto flushed = nlohmann::json::parse(reply->body, nullptr, false);
  auto files = flushed.is_object() ? flushed["flushed"] : nlohmann::json::array();
  for (const auto& file : files) fmt::print("flushed {}\n", file.get<std::string>());
  if (files.empty()) fmt::print("no log file to flush\n");
  return kOk;
}

int run_logs(const LogsCommand& command) {
  auto dir = fs::path(command.home) / "logs";
  auto files = log_files(dir, command.service);
  if (!command.service.empty() && files.empty()) {
    fmt::print(stderr, "baton: no log for '{}' at {}: is the service name right? ('baton ls' lists them)\n",
               command.service, (dir / (command.service + ".log")).string());
    return kUsage;
  }
  LogPrinter printer(command.filter, command.service.empty());
  // --since alone prints every line since then; -n still bounds it when given.
  auto count = command.lines || command.filter.since.empty() ? std::optional<unsigned>(command.lines.value_or(kDefaultLogLines))
                                                            : std::nullopt;
  auto read_to = print_tail(files, count, printer);
  if (command.follow) follow(dir, command.service, std::move(read_to), printer);
  return kOk;
}
}  // namespace baton::cli
