#pragma once
// Runs another program to ask it something (`baton version`, `baton-keeper --version`, a new
// keeper's trial resume) and reads what it prints, under a deadline: a binary we are about to
// hand the service to must not hang its caller. In net/ because baton-keeper, which uses it,
// compiles only net's plain sources.
#include <chrono>
#include <expected>
#include <string>
#include <vector>

namespace baton {
// `--version` of a healthy binary answers at once; this only bounds a hung one.
inline constexpr std::chrono::seconds kProgramAnswerPatience{5};

struct ProgramQuestion {
  std::vector<std::string> args;  // after the program's path
  std::vector<std::pair<std::string, std::string>> env;  // added to ours
  std::vector<int> inherited_fds;  // left open across the exec
  std::chrono::milliseconds patience = kProgramAnswerPatience;
};

// What PATH printed on stdout (its first 4 KiB) when it exited 0 in time; otherwise why not:
// not executable, its exit code or signal, or no answer in time (it is then killed).
std::expected<std::string, std::string> ask_program(const std::string& path, const ProgramQuestion& question);
}  // namespace baton
