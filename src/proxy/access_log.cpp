#include "proxy/access_log.hpp"

#include <unistd.h>

#include <algorithm>
#include <iterator>

#include "base/timestamp.hpp"

namespace baton::proxy {
namespace {
constexpr char kHex[] = "0123456789abcdef";

void append(fmt::memory_buffer& out, std::string_view text) { out.append(text.data(), text.data() + text.size()); }

void append_number(fmt::memory_buffer& out, std::uint64_t n) { fmt::format_to(std::back_inserter(out), "{}", n); }

void append_escaped_byte(fmt::memory_buffer& out, unsigned char c, bool json) {
  append(out, json ? "\\u00" : "\\x");
  out.push_back(kHex[c >> 4]);
  out.push_back(kHex[c & 0xf]);
}

// A quoted value: '"' and '\' escaped, and every byte outside printable ASCII as \u00XX (JSON)
// or \xXX (logfmt), so a line is always one line of valid text whatever the client sent.
void append_quoted(fmt::memory_buffer& out, std::string_view text, bool json) {
  out.push_back('"');
  for (char raw : text) {
    auto c = static_cast<unsigned char>(raw);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(raw);
    } else if (c < 0x20 || c >= 0x7f) {
      append_escaped_byte(out, c, json);
    } else {
      out.push_back(raw);
    }
  }
  out.push_back('"');
}

// A logfmt value: bare when it is a plain word, quoted otherwise.
void append_logfmt_value(fmt::memory_buffer& out, std::string_view text) {
  bool bare = !text.empty() && std::ranges::all_of(text, [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && c != '"' && c != '=' && c != '\\';
  });
  if (bare) append(out, text);
  else append_quoted(out, text, false);
}

void append_time(fmt::memory_buffer& out, std::chrono::system_clock::time_point time) {
  char stamp[kTimestampLength];
  write_timestamp(time, stamp);
  append(out, std::string_view(stamp, sizeof stamp));
}

void format_logfmt(const AccessRecord& r, fmt::memory_buffer& out) {
  append(out, "time=");
  append_time(out, r.time);
  append(out, " request_id=");
  append_logfmt_value(out, r.request_id);
  append(out, " service=");
  append_logfmt_value(out, r.service);
  append(out, " client=");
  append_logfmt_value(out, r.client);
  append(out, " method=");
  append_logfmt_value(out, r.method);
  append(out, " path=");
  append_quoted(out, r.path, false);
  append(out, " status=");
  append_number(out, r.status);
  append(out, " bytes=");
  append_number(out, r.bytes);
  append(out, " duration_us=");
  append_number(out, static_cast<std::uint64_t>(r.duration.count()));
  append(out, " target=");
  append_logfmt_value(out, r.target.empty() ? "-" : r.target);
  append(out, " retries=");
  append_number(out, r.retries);
  if (!r.error.empty()) {
    append(out, " error=");
    append_logfmt_value(out, r.error);
  }
}

void json_field(fmt::memory_buffer& out, std::string_view name, std::string_view value) {
  append(out, ",\"");
  append(out, name);
  append(out, "\":");
  append_quoted(out, value, true);
}

void json_number(fmt::memory_buffer& out, std::string_view name, std::uint64_t value) {
  append(out, ",\"");
  append(out, name);
  append(out, "\":");
  append_number(out, value);
}

void format_json(const AccessRecord& r, fmt::memory_buffer& out) {
  append(out, "{\"time\":\"");
  append_time(out, r.time);
  out.push_back('"');
  json_field(out, "request_id", r.request_id);
  json_field(out, "service", r.service);
  json_field(out, "client", r.client);
  json_field(out, "method", r.method);
  json_field(out, "path", r.path);
  json_number(out, "status", r.status);
  json_number(out, "bytes", r.bytes);
  json_number(out, "duration_us", static_cast<std::uint64_t>(r.duration.count()));
  if (!r.target.empty()) json_field(out, "target", r.target);
  json_number(out, "retries", r.retries);
  if (!r.error.empty()) json_field(out, "error", r.error);
  out.push_back('}');
}
}  // namespace

void format_access_line(const AccessRecord& record, AccessLogFormat format, fmt::memory_buffer& out) {
  if (format == AccessLogFormat::json) format_json(record, out);
  else format_logfmt(record, out);
  out.push_back('\n');
}

std::expected<std::unique_ptr<AccessLog>, std::string> AccessLog::open(const std::filesystem::path& path,
                                                                       const LogsConfig& settings) {
  std::shared_ptr<LogFile> file;
  if (!path.empty()) {
    auto opened = LogFile::open(path, settings.access);
    if (!opened) return std::unexpected(opened.error());
    file = std::move(*opened);
  }
  std::unique_ptr<AccessLog> log(new AccessLog(std::move(file)));
  log->configure(settings);
  return log;
}

void AccessLog::write(std::string_view lines) {
  std::lock_guard lock(mutex_);
  if (file_) {
    // A full disk must not stop the proxy: the lines are lost.
    (void)file_->append(lines);
    return;
  }
  while (!lines.empty()) {
    auto n = ::write(STDOUT_FILENO, lines.data(), lines.size());
    if (n <= 0) return;
    lines.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::expected<void, std::string> AccessLog::reopen() {
  std::lock_guard lock(mutex_);
  return file_ ? file_->reopen() : std::expected<void, std::string>{};
}

void AccessLog::configure(const LogsConfig& settings) {
  format_.store(settings.access_format, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  if (file_) file_->set_rotation(settings.access);
}

void AccessLogBuffer::add(AccessLog& log, const AccessRecord& record) {
  format_access_line(record, log.format(), lines_);
  if (lines_.size() >= kFlushBytes) flush(log);
}

void AccessLogBuffer::flush(AccessLog& log) {
  if (lines_.size() == 0) return;
  log.write(std::string_view(lines_.data(), lines_.size()));
  lines_.clear();
}
}  // namespace baton::proxy
