#include "cli/log_reader.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <iterator>

namespace baton::cli {
namespace {
namespace fs = std::filesystem;

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

ino_t inode_of(const fs::path& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? info.st_ino : 0;
}
}  // namespace

LogReader::LogReader(fs::path dir, std::string service, LogFilter filter)
    : dir_(std::move(dir)), service_(std::move(service)), filter_(std::move(filter)), files_(log_files(dir_, service_)) {}

// The line as printed, or nullopt when the filter drops it. Without a name only output lines
// count: daemon.log and access.log are in the same directory.
std::optional<LogReader::Printed> LogReader::take(std::string_view raw) const {
  auto parsed = parse_log_line(raw);
  if (!filter_.keeps(parsed) || (service_.empty() && !parsed)) return std::nullopt;
  return Printed{std::string(raw.substr(0, raw.find(' '))), filter_.render(raw, parsed)};
}

std::vector<std::string> LogReader::in_order(std::vector<Printed> lines) {
  std::ranges::stable_sort(lines, {}, &Printed::time);
  std::vector<std::string> out;
  out.reserve(lines.size());
  for (auto& line : lines) out.push_back(std::move(line.text));
  return out;
}

std::vector<std::string> LogReader::tail(std::optional<unsigned> count) {
  std::vector<Printed> lines;
  for (const auto& path : files_) {
    std::ifstream in(path, std::ios::binary);
    std::deque<Printed> last;
    for (std::string line; std::getline(in, line);) {
      if (auto kept = take(line)) last.push_back(std::move(*kept));
      if (count && last.size() > *count) last.pop_front();
    }
    std::ranges::move(last, std::back_inserter(lines));
    std::error_code ec;
    read_to_[path] = {inode_of(path), fs::file_size(path, ec), ""};
  }
  std::ranges::stable_sort(lines, {}, &Printed::time);
  if (count && lines.size() > *count) lines.erase(lines.begin(), lines.end() - *count);
  return in_order(std::move(lines));
}

// Whole lines appended to `path` since `at`; from the top of a new file once it was rotated away.
void LogReader::read_new_lines(const fs::path& path, Followed& at, std::vector<Printed>& out) const {
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
    if (auto kept = take(std::string_view(at.partial).substr(start, end - start))) out.push_back(std::move(*kept));
    start = end + 1;
  }
  at.partial.erase(0, start);
}

std::vector<std::string> LogReader::poll() {
  for (const auto& path : log_files(dir_, service_)) read_to_.try_emplace(path, Followed{inode_of(path), 0, ""});
  std::vector<Printed> lines;
  for (auto& [path, at] : read_to_) read_new_lines(path, at, lines);
  return in_order(std::move(lines));
}
}  // namespace baton::cli
