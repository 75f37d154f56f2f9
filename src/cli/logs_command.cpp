#include "cli/logs_command.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <thread>

#include "cli/command_line.hpp"

namespace baton::cli {
namespace {
constexpr std::chrono::milliseconds kFollowPoll{200};

// Prints the last `count` lines of `path`; returns the offset printed up to.
std::uintmax_t print_tail(const std::filesystem::path& path, unsigned count) {
  std::ifstream in(path, std::ios::binary);
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    last.push_back(std::move(line));
    if (last.size() > count) last.pop_front();
  }
  for (const auto& line : last) fmt::print("{}\n", line);
  std::fflush(stdout);
  std::error_code ec;
  return std::filesystem::file_size(path, ec);
}

ino_t inode_of(const std::filesystem::path& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? info.st_ino : 0;
}

// Prints what is appended to `path`; starts over when the file is rotated away.
[[noreturn]] void follow(const std::filesystem::path& path, std::uintmax_t offset) {
  ino_t inode = inode_of(path);
  for (;;) {
    std::this_thread::sleep_for(kFollowPoll);
    ino_t now = inode_of(path);
    if (now != inode) {
      inode = now;
      offset = 0;
    }
    std::ifstream in(path, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(offset));
    std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (chunk.empty()) continue;
    offset += chunk.size();
    fmt::print("{}", chunk);
    std::fflush(stdout);
  }
}
}  // namespace

int run_logs(const std::string& home, const std::string& service, unsigned lines, bool follow_on) {
  auto path = std::filesystem::path(home) / "logs" / (service + ".log");
  if (!std::filesystem::exists(path)) {
    fmt::print(stderr, "baton: no log for '{}' at {}: is the service name right? ('baton ls' lists them)\n",
               service, path.string());
    return kUsage;
  }
  auto offset = print_tail(path, lines);
  if (follow_on) follow(path, offset);
  return kOk;
}
}  // namespace baton::cli
