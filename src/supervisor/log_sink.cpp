#include "supervisor/log_sink.hpp"

#include <fmt/format.h>

#include "base/log.hpp"

namespace baton::supervisor {
namespace {
constexpr std::size_t kReadChunk = 16 * 1024;

void emit(std::string_view prefix, std::string_view line, std::string& out) {
  out.append(prefix);
  out.append(line);
  out.push_back('\n');
}
}  // namespace

std::string format_prefix(std::chrono::system_clock::time_point time, std::string_view label,
                          OutputStream stream) {
  auto name = stream == OutputStream::out ? "out" : "err";
  return fmt::format("{} {} {}| ", format_timestamp(time), label, name);
}

void LineFramer::feed(std::string_view bytes, std::string_view prefix, std::string& out) {
  while (!bytes.empty()) {
    auto newline = bytes.find('\n');
    auto take = std::min(newline == std::string_view::npos ? bytes.size() : newline,
                         max_line_ - std::min(max_line_, partial_.size()));
    partial_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    bool complete = !bytes.empty() && bytes.front() == '\n';
    if (complete) bytes.remove_prefix(1);
    if (complete || partial_.size() >= max_line_) {
      emit(prefix, partial_, out);
      partial_.clear();
    }
  }
}

void LineFramer::finish(std::string_view prefix, std::string& out) {
  if (partial_.empty()) return;
  emit(prefix, partial_, out);
  partial_.clear();
}

awaitable<void> pump_output(asio::posix::stream_descriptor pipe, std::shared_ptr<LogFile> file,
                            std::string label, OutputStream stream) {
  LineFramer framer;
  std::string chunk(kReadChunk, '\0');
  std::string out;
  bool reported = false;
  for (bool open = true; open;) {
    auto [ec, n] = co_await pipe.async_read_some(asio::buffer(chunk), use_nothrow);
    open = !ec;
    auto prefix = format_prefix(std::chrono::system_clock::now(), label, stream);
    out.clear();
    framer.feed(std::string_view(chunk).substr(0, n), prefix, out);
    if (!open) framer.finish(prefix, out);
    if (out.empty()) continue;
    // A full disk must not stop the app: its output is dropped, and said so once.
    if (auto written = file->append(out); !written && !std::exchange(reported, true))
      log::warn("event=log_write_failed instance={} error=\"{}\"", label, written.error());
  }
}
}  // namespace baton::supervisor
