#include "deploy/hook_process.hpp"

#include <csignal>
#include <fmt/format.h>
#include <fstream>
#include <limits>

#include "supervisor/event.hpp"
#include "supervisor/log_sink.hpp"
#include "supervisor/running_process.hpp"
#include "supervisor/spawn.hpp"

namespace baton::deploy {
namespace {
constexpr unsigned kTailLines = 10;
constexpr std::streamoff kMaxTailBytes = 64 * 1024;
constexpr unsigned kAllLines = std::numeric_limits<unsigned>::max();
constexpr std::chrono::milliseconds kOutputGrace{1000};

// Reads both pipes at once (a hook may fill either) and sets `done` once both reached their end,
// so every line is in the log before the outcome is reported.
void start_pumps(asio::any_io_executor executor, supervisor::SpawnedProcess& spawned,
                 std::shared_ptr<LogFile> log, const std::string& label,
                 std::shared_ptr<supervisor::Event> done) {
  using supervisor::OutputStream;
  auto open = std::make_shared<int>(2);
  std::pair<UniqueFd*, OutputStream> pipes[] = {{&spawned.stdout_pipe, OutputStream::out},
                                                           {&spawned.stderr_pipe, OutputStream::err}};
  for (auto& [fd, stream] : pipes) {
    asio::posix::stream_descriptor pipe(executor, fd->release());
    asio::co_spawn(executor, supervisor::pump_output(std::move(pipe), log, label, stream),
                   [open, done](std::exception_ptr) {
                     if (--*open == 0) done->set();
                   });
  }
}
}  // namespace

awaitable<HookOutcome> run_hook_process(asio::any_io_executor executor, const HookProcess& hook,
                                        std::shared_ptr<LogFile> log) {
  supervisor::SpawnSpec spec;
  spec.command = hook.command.command;
  spec.command_is_line = hook.command.is_shell_string;
  spec.cwd = hook.cwd;
  spec.env = hook.env;
  spec.capture_output = log != nullptr;
  auto spawned = supervisor::spawn(spec);
  if (!spawned) co_return HookOutcome{false, spawned.error(), {}};
  auto pid = spawned->identity.pid;
  supervisor::RunningProcess process(executor, pid, std::move(spawned->pidfd),
                                     supervisor::RunningProcess::Relation::child);
  auto output_done = std::make_shared<supervisor::Event>(executor);
  if (log) start_pumps(executor, *spawned, log, hook.label, output_done);
  else output_done->set();
  asio::steady_timer deadline(executor, hook.timeout);
  bool timed_out = false;
  deadline.async_wait([&](error_code ec) {
    if (ec) return;
    timed_out = true;
    process.signal_group(SIGKILL);
  });
  auto status = co_await process.wait();
  // A background child of the hook may keep the pipes open: its output is not waited for.
  deadline.expires_after(kOutputGrace);
  deadline.async_wait([output_done](error_code ec) {
    if (!ec) output_done->set();
  });
  co_await output_done->wait();
  deadline.cancel();
  HookOutcome outcome;
  outcome.ok = !timed_out && status.kind == supervisor::ExitStatus::Kind::exited && status.value == 0;
  outcome.summary = timed_out ? fmt::format("timed out after {} ms", hook.timeout.count()) : status.text();
  if (log) outcome.log_tail = tail_of_file(log->path(), kTailLines);
  co_return outcome;
}

std::string tail_of_file(const std::filesystem::path& path, unsigned lines) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return {};
  auto size = static_cast<std::streamoff>(in.tellg());
  auto from = std::max<std::streamoff>(0, size - kMaxTailBytes);
  in.seekg(from);
  std::string text(static_cast<std::size_t>(size - from), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  return last_lines(text, lines);
}

std::string tail_of_output(const std::filesystem::path& path, std::string_view label_suffix, unsigned lines) {
  auto text = tail_of_file(path, kAllLines);
  std::string kept;
  std::error_code ec;
  // A window that starts mid-line: its first piece has no label of its own.
  std::size_t at = std::filesystem::file_size(path, ec) > static_cast<std::uintmax_t>(kMaxTailBytes)
                       ? std::min(text.find('\n'), text.size())
                       : 0;
  while (at < text.size()) {
    auto end = std::min(text.find('\n', at), text.size());
    auto line = std::string_view(text).substr(at, end - at);
    at = end + 1;
    // "<time> <label> out| text"
    auto label_start = line.find(' ');
    auto label_end = label_start == std::string_view::npos ? label_start : line.find(' ', label_start + 1);
    if (label_end == std::string_view::npos) continue;
    if (!line.substr(0, label_end).ends_with(label_suffix)) continue;
    kept.append(line);
    kept.push_back('\n');
  }
  return last_lines(kept, lines);
}

std::string last_lines(std::string_view text, unsigned lines) {
  if (lines == 0) return {};
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  auto start = text.size();  // the newline before the lines kept so far
  for (unsigned n = 0; n < lines; ++n) {
    auto newline = start == 0 ? std::string_view::npos : text.rfind('\n', start - 1);
    if (newline == std::string_view::npos) return std::string(text);  // fewer lines than asked
    start = newline;
  }
  return std::string(text.substr(start + 1));
}
}  // namespace baton::deploy
