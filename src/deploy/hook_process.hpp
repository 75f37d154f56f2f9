#pragma once
// Runs one deploy hook (a migration, a smoke test) to completion, its output
// framed into the service's deploy log.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "deploy/runtime.hpp"
#include "base/log_file.hpp"

namespace baton::deploy {
struct HookProcess {
  HookCommand command;
  std::string cwd;
  supervisor::EnvList env;
  std::chrono::milliseconds timeout{0};
  std::string label;  // "web/smoke": the prefix of its lines in the log
};

// Exit 0 within the timeout is success; a timeout kills the hook's process group.
awaitable<HookOutcome> run_hook_process(asio::any_io_executor executor, const HookProcess& hook,
                                        std::shared_ptr<LogFile> log);

// The last `lines` lines of a file (a log), at most 64 KiB from its end.
std::string tail_of_file(const std::filesystem::path& path, unsigned lines);
// The last `lines` output lines of a service's log whose label ends with
// `label_suffix` ("@r3": one release's instances).
std::string tail_of_output(const std::filesystem::path& path, std::string_view label_suffix, unsigned lines);
// The last `lines` lines of `text`, without the final newline; all of it when it has fewer.
std::string last_lines(std::string_view text, unsigned lines);
}  // namespace baton::deploy
