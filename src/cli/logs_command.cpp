#include "cli/logs_command.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
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
#include "cli/log_reader.hpp"
#include "cli/remote_api.hpp"
#include "control/wire/access.hpp"

namespace baton::cli {
namespace {
namespace fs = std::filesystem;
constexpr std::chrono::milliseconds kFollowPoll{200};

void print(const std::vector<std::string>& lines) {
  for (const auto& line : lines) fmt::print("{}\n", line);
  std::fflush(stdout);
}

// --since alone prints every line since then; -n still bounds it when given.
std::optional<unsigned> tail_count(const LogsCommand& command) {
  if (command.lines || command.filter.since.empty()) return command.lines.value_or(kDefaultLogLines);
  return std::nullopt;
}

// The daemon is elsewhere: it reads its files with the same reader and streams the lines.
int remote_logs(const LogsCommand& command) {
  std::string path = "/v1/logs?";
  if (!command.service.empty()) path += "service=" + percent_encoded(command.service) + "&";
  if (auto count = tail_count(command)) path += fmt::format("lines={}&", *count);
  if (!command.filter.since.empty()) path += "since=" + percent_encoded(command.filter.since) + "&";
  if (command.filter.stream != StreamChoice::both)
    path += command.filter.stream == StreamChoice::out ? "stream=out&" : "stream=err&";
  if (command.filter.json) path += "json=1&";
  if (command.follow) path += "follow=1&";
  path.pop_back();
  auto reply = stream_api(command.home, "GET", path, {}, [](std::string_view text) {
    if (auto line = control::wire::parse<control::wire::LogLine>(text)) print({line->line});
  });
  return failure_exit(reply).value_or(kOk);
}
}  // namespace

int run_flush(const LogsCommand& command) {
  auto body = command.service.empty() ? std::string() : nlohmann::json{{"service", command.service}}.dump();
  auto reply = call_api(command.home, "POST", "/v1/logs/flush", body);
  if (auto refused = failure_exit(reply)) return *refused;
  auto flushed = nlohmann::json::parse(reply->body, nullptr, false);
  auto files = flushed.is_object() ? flushed["flushed"] : nlohmann::json::array();
  for (const auto& file : files) fmt::print("flushed {}\n", file.get<std::string>());
  if (files.empty()) fmt::print("no log file to flush\n");
  return kOk;
}

int run_logs(const LogsCommand& command) {
  if (remote_in_use()) return remote_logs(command);
  auto dir = fs::path(command.home) / "logs";
  LogReader reader(dir, command.service, command.filter);
  if (!command.service.empty() && !reader.has_files()) {
    fmt::print(stderr, "baton: no log for '{}' at {}: is the service name right? ('baton ls' lists them)\n",
               command.service, (dir / (command.service + ".log")).string());
    return kUsage;
  }
  print(reader.tail(tail_count(command)));
  while (command.follow) {
    std::this_thread::sleep_for(kFollowPoll);
    if (auto lines = reader.poll(); !lines.empty()) print(lines);
  }
  return kOk;
}
}  // namespace baton::cli
