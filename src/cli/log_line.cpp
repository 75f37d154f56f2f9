#include "cli/log_line.hpp"

#include <charconv>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "base/timestamp.hpp"
#include "base/units.hpp"

namespace baton::cli {
namespace {
// The word at the front of `text` up to a space, consumed with the space.
std::optional<std::string_view> take_word(std::string_view& text) {
  auto space = text.find(' ');
  if (space == std::string_view::npos || space == 0) return std::nullopt;
  auto word = text.substr(0, space);
  text.remove_prefix(space + 1);
  return word;
}

// SERVICE#INDEX@RELEASE
bool split_label(std::string_view label, LogLine& into) {
  auto at = label.rfind('@');
  auto hash = label.rfind('#', at);
  if (at == std::string_view::npos || hash == std::string_view::npos || hash == 0 || at + 1 == label.size())
    return false;
  auto index = label.substr(hash + 1, at - hash - 1);
  auto [end, error] = std::from_chars(index.data(), index.data() + index.size(), into.instance);
  if (index.empty() || error != std::errc() || end != index.data() + index.size()) return false;
  into.service = label.substr(0, hash);
  into.release = label.substr(at + 1);
  return true;
}
}  // namespace

std::optional<LogLine> parse_log_line(std::string_view line) {
  LogLine parsed;
  auto time = take_word(line);
  auto label = time ? take_word(line) : std::nullopt;
  if (!label || !split_label(*label, parsed)) return std::nullopt;
  if (!line.starts_with("out| ") && !line.starts_with("err| ")) return std::nullopt;
  parsed.time = *time;
  parsed.stream = line.substr(0, 3);
  parsed.text = line.substr(5);
  return parsed;
}

std::string log_line_json(const LogLine& line) {
  nlohmann::ordered_json object;
  object["time"] = std::string(line.time);
  object["service"] = std::string(line.service);
  object["release"] = std::string(line.release);
  object["instance"] = line.instance;
  object["stream"] = std::string(line.stream);
  object["line"] = std::string(line.text);
  return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool LogFilter::keeps(const std::optional<LogLine>& line) const {
  if (!line) return !active();
  if (stream == StreamChoice::out && line->stream != "out") return false;
  if (stream == StreamChoice::err && line->stream != "err") return false;
  return since.empty() || line->time >= since;
}

std::string LogFilter::render(std::string_view raw, const std::optional<LogLine>& line) const {
  return json && line ? log_line_json(*line) : std::string(raw);
}

std::expected<std::string, std::string> since_timestamp(std::string_view text, std::chrono::system_clock::time_point now) {
  if (auto back = parse_duration(text)) return format_timestamp(now - *back);
  if (auto time = parse_timestamp(text)) return format_timestamp(*time);
  return std::unexpected(fmt::format("--since needs a duration back from now (10m, 2h, 90s) or a UTC time "
                                     "(2026-11-22T10:00, 2026-11-22 10:00:05), got '{}'",
                                     text));
}
}  // namespace baton::cli
