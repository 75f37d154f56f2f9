// `baton upgrade --binary PATH`: asks the keeper to replace the daemon with another
// binary on the same sockets. The daemon drains and leaves its apps running; the
// new one adopts them. A binary that is not a Baton is refused here; one that
// fails to start or to serve is abandoned by the keeper for the one before.
#include "app/upgrade_command.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <expected>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <optional>
#include <thread>

#include "app/keeper.hpp"
#include "net/program_output.hpp"
#include "net/whole_number.hpp"
#include "state/schema.hpp"
#include "state/state_db.hpp"

namespace baton {
namespace {
namespace fs = std::filesystem;
constexpr std::chrono::seconds kPatience{90};  // the keeper gives a new daemon 60 s to serve

// The keeper's pid while one holds the home's keeper lock, else 0.
pid_t running_keeper(const fs::path& home) {
  int fd = ::open((home / "keeper.lock").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  bool free = ::flock(fd, LOCK_SH | LOCK_NB) == 0;
  char text[32] = {};
  auto n = ::pread(fd, text, sizeof text - 1, 0);
  ::close(fd);
  if (free || n <= 0) return 0;
  return parse_whole_number<pid_t>(std::string_view(text, static_cast<std::size_t>(n)), 1).value_or(0);
}

// The state schema a build can use, from the second line of `baton version` ("state schema N").
std::optional<int> schema_of(const std::string& version_text) {
  constexpr std::string_view kPrefix = "\nstate schema ";
  auto at = version_text.find(kPrefix);
  if (at == std::string::npos) return std::nullopt;
  auto rest = std::string_view(version_text).substr(at + kPrefix.size());
  return parse_whole_number<int>(rest.substr(0, rest.find('\n')), 1);
}

// The schema of the home's state file; nullopt when it cannot be read (the daemon reports why).
std::optional<int> home_schema(const fs::path& home) {
  auto path = home / state::kStateFileName;
  if (!fs::exists(path)) return std::nullopt;
  auto db = state::Database::open(path.string(), {.create_if_missing = false});
  if (!db) return std::nullopt;
  auto version = state::schema_version(*db);
  return version ? std::optional<int>(*version) : std::nullopt;
}

// Writes `binary` to HOME/`request` for the keeper, signals it, and waits for its result line
// ("ok PID" or "failed: ..."); the error is why no result came.
std::expected<std::string, std::string> ask_keeper(const fs::path& home, pid_t keeper, const char* request,
                                                   const fs::path& binary, int signal) {
  std::error_code ignored;
  fs::remove(home / "upgrade.result", ignored);
  std::ofstream(home / request) << binary.string() << "\n";
  if (::kill(keeper, signal) != 0) return std::unexpected(fmt::format("cannot signal the keeper (pid {})", keeper));
  auto deadline = std::chrono::steady_clock::now() + kPatience;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(home / "upgrade.result");
    std::string result;
    if (std::getline(in, result) && !result.empty()) return result;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return std::unexpected(fmt::format("the keeper did not report the upgrade within {} s", kPatience.count()));
}

// Asks the keeper, and says on stderr what went wrong, naming what `stays` (keeps running): the
// new pid's text (" 1234") when the upgrade was made.
std::optional<std::string> keeper_upgrade(const fs::path& home, pid_t keeper, const char* request,
                                          const fs::path& binary, int signal, std::string_view upgrade,
                                          std::string_view stays) {
  auto result = ask_keeper(home, keeper, request, binary, signal);
  if (!result) {
    fmt::print(stderr, "baton: {}\n", result.error());
    return std::nullopt;
  }
  if (!result->starts_with("ok")) {
    fmt::print(stderr, "baton: {} to {} {}; {}\n", upgrade, binary.string(), *result, stays);
    return std::nullopt;
  }
  return result->substr(2);
}

// The executable `text` names, resolved; nullopt (said on stderr) when there is none.
std::optional<fs::path> executable_at(const std::string& text) {
  std::error_code ec;
  auto binary = fs::canonical(text, ec);
  if (ec || ::access(binary.c_str(), X_OK) != 0) {
    fmt::print(stderr, "baton: no executable at {}\n", text);
    return std::nullopt;
  }
  return binary;
}

// Whether the keeper takes SIGUSR1 as "upgrade yourself": one from before keeper upgrades
// leaves it at its default action, which would end the keeper.
bool keeper_upgrades_itself(pid_t keeper) {
  std::ifstream status(fmt::format("/proc/{}/status", keeper));
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("SigBlk:")) {
      auto digits = std::string_view(line).substr(7);
      digits.remove_prefix(std::min(digits.find_first_not_of("\t "), digits.size()));
      auto mask = parse_whole_number<std::uint64_t>(digits, 0, UINT64_MAX, 16);
      return mask && ((*mask >> (SIGUSR1 - 1)) & 1);
    }
  return false;
}
}  // namespace

// `baton upgrade --keeper [--binary PATH]`: the keeper checks PATH (`--version`) and re-executes
// itself as it, same pid, sockets and daemon kept; the new keeper writes the result.
int run_keeper_upgrade(const std::string& home_text, const std::string& binary_text) {
  fs::path home(home_text);
  pid_t keeper = running_keeper(home);
  if (keeper <= 0) {
    fmt::print(stderr, "baton: no keeper runs with the home {}\n", home.string());
    return 1;
  }
  if (!keeper_upgrades_itself(keeper)) {
    fmt::print(stderr, "baton: the keeper (pid {}) predates keeper upgrades; restart it once instead\n", keeper);
    return 1;
  }
  auto binary = executable_at(binary_text.empty() ? keeper_beside_self() : binary_text);
  if (!binary) return 1;
  auto pid = keeper_upgrade(home, keeper, "upgrade.keeper", *binary, SIGUSR1, "keeper upgrade",
                            "the keeper before keeps running");
  if (!pid) return 1;
  fmt::print("keeper upgraded to {} (pid{}, sockets and daemon kept)\n", binary->string(), *pid);
  return 0;
}

int run_upgrade(const std::string& home_text, const std::string& binary_text) {
  fs::path home(home_text);
  pid_t keeper = running_keeper(home);
  if (keeper <= 0) {
    fmt::print(stderr, "baton: no keeper runs with the home {}: upgrades need the daemon run by 'baton keeper'\n",
               home.string());
    return 1;
  }
  auto found = executable_at(binary_text);
  if (!found) return 1;
  const auto& binary = *found;
  ProgramQuestion version_question;
  version_question.args = {"version"};
  auto answer = ask_program(binary.string(), version_question);
  auto version = answer.value_or("");
  if (!version.starts_with("baton ")) {
    fmt::print(stderr, "baton: {} is not a Baton binary ('{} version' printed no Baton version{})\n", binary.string(),
               binary.string(), answer ? "" : ": " + answer.error());
    return 1;
  }
  // A build that cannot read the home's state would fail at start and be abandoned: say it now.
  auto theirs = schema_of(version);
  auto ours = home_schema(home);
  if (theirs && ours && *theirs < *ours) {
    fmt::print(stderr,
               "baton: {} has an incompatible state version: it knows state schema {}, the home's state.db is at "
               "schema {}; the running daemon keeps serving\n",
               binary.string(), *theirs, *ours);
    return 1;
  }
  auto pid = keeper_upgrade(home, keeper, "upgrade.binary", binary, SIGUSR2, "upgrade",
                            "the daemon before keeps serving");
  if (!pid) return 1;
  fmt::print("upgraded to {}: {} serves (daemon pid{})\n", binary.string(), version.substr(0, version.find('\n')),
             *pid);
  return 0;
}
}  // namespace baton
