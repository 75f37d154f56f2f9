#include "supervisor/command.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace baton::supervisor {
namespace {
constexpr std::string_view kPortPlaceholder = "{port}";
constexpr std::string_view kDefaultPath = "/usr/local/bin:/usr/bin:/bin";
// Variables that describe the daemon's process, never an instance's.
constexpr std::string_view kDaemonOnly[] = {"LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
                                            "BATON_INSTANCE_TOKEN", "BATON_KEEPER_FD",
                                            "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"};

std::string_view name_of(std::string_view entry) { return entry.substr(0, entry.find('=')); }

// Words only a shell understands: "exec node app.js" or "exit 3" must go through it.
constexpr std::string_view kShellWords[] = {
    ".", ":", "alias", "break", "case", "cd", "command", "continue", "eval", "exec", "exit",
    "export", "for", "if", "read", "readonly", "return", "set", "shift", "source", "test",
    "times", "trap", "ulimit", "umask", "unset", "until", "wait", "while", "[", "{", "!"};

bool plain_char(char c) {
  bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  return alnum || std::string_view("-_./:,+@% \t").find(c) != std::string_view::npos;
}
}  // namespace

std::string substitute_port(std::string_view text, std::uint16_t port) {
  std::string out;
  std::string port_text = std::to_string(port);
  for (std::size_t at = 0;;) {
    auto hit = text.find(kPortPlaceholder, at);
    out.append(text.substr(at, hit - at));
    if (hit == std::string_view::npos) return out;
    out += port_text;
    at = hit + kPortPlaceholder.size();
  }
}

bool is_plain_words(std::string_view text) {
  if (!std::all_of(text.begin(), text.end(), plain_char)) return false;
  auto words = split_words(text);
  return !words.empty() && std::find(std::begin(kShellWords), std::end(kShellWords), words[0]) ==
                               std::end(kShellWords);
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  for (std::size_t at = text.find_first_not_of(" \t"); at != std::string_view::npos;) {
    auto end = text.find_first_of(" \t", at);
    words.emplace_back(text.substr(at, end - at));
    at = text.find_first_not_of(" \t", end);
  }
  return words;
}

CommandLine build_command(const std::vector<std::string>& command, std::optional<std::uint16_t> port,
                          bool one_is_a_line) {
  std::vector<std::string> args;
  for (const auto& arg : command) args.push_back(port ? substitute_port(arg, *port) : arg);
  bool one_line = args.size() == 1 && one_is_a_line;
  if (one_line && args[0].find_first_not_of(" \t\n") == std::string::npos) args.clear();
  else if (one_line && is_plain_words(args[0])) args = split_words(args[0]);
  else if (one_line) args = {"/bin/sh", "-c", args[0]};
  std::string program = args.empty() ? std::string() : args[0];
  return CommandLine{std::move(program), std::move(args)};
}

std::vector<std::string> build_environment(const char* const* base, const EnvList& additions) {
  std::vector<std::string> env;
  auto drop = [&env](std::string_view name) {
    std::erase_if(env, [name](const std::string& entry) { return name_of(entry) == name; });
  };
  for (; base && *base; ++base) env.emplace_back(*base);
  for (auto name : kDaemonOnly) drop(name);
  for (const auto& [name, value] : additions) {
    drop(name);
    env.push_back(name + "=" + value);
  }
  return env;
}

std::string resolve_program(const std::string& program, const std::vector<std::string>& environment) {
  if (program.empty() || program.find('/') != std::string::npos) return program;
  std::string_view path = kDefaultPath;
  for (const auto& entry : environment)
    if (name_of(entry) == "PATH") path = std::string_view(entry).substr(5);
  for (std::size_t at = 0; at <= path.size();) {
    auto end = std::min(path.find(':', at), path.size());
    std::string dir(path.substr(at, end - at));
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + program;
    struct stat info {};
    bool file = ::stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode);
    if (file && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    at = end + 1;
  }
  return program;
}
}  // namespace baton::supervisor
