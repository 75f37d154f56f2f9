#pragma once
// How a service's command and environment become the arguments of one execve().
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace baton::supervisor {
using EnvList = std::vector<std::pair<std::string, std::string>>;

struct CommandLine {
  std::string program;  // as given; resolve_program() finds it on PATH
  std::vector<std::string> argv;
};

// `{port}` replaced by the port in every argument. One string is a command line: plain words are
// run directly (so a missing binary is reported, and signals reach the app rather than a shell);
// anything with shell syntax runs through /bin/sh -c.
// `one_is_a_line = false` takes a single element as argv[0] as it is (a config's argv array).
CommandLine build_command(const std::vector<std::string>& command, std::optional<std::uint16_t> port,
                          bool one_is_a_line = true);

std::string substitute_port(std::string_view text, std::uint16_t port);
// Only characters no shell gives a meaning to, at least one word, and not a shell builtin first.
bool is_plain_words(std::string_view text);
std::vector<std::string> split_words(std::string_view text);

// The daemon's environment without what describes the daemon itself (systemd's LISTEN_* for its
// own sockets, NOTIFY_SOCKET and WATCHDOG_* for its own readiness, its instance token), then
// `additions` in order, a later value replacing an earlier.
std::vector<std::string> build_environment(const char* const* base, const EnvList& additions);

// The file execve() should run: `program` itself when it names a path, else the first executable
// match on the environment's PATH; unchanged when nothing matches, so execve reports ENOENT.
std::string resolve_program(const std::string& program, const std::vector<std::string>& environment);
}  // namespace baton::supervisor
