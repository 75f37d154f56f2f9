// baton-keeper --home HOME [--config FILE] [--log-level LEVEL] [--daemon-binary PATH]
// Usually started by `baton keeper`, which passes its own path as the daemon binary.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <string_view>

#include "keeper/keeper.hpp"
#include "keeper/keeper_reexec.hpp"

namespace {
constexpr std::string_view kUsage =
    "usage: baton-keeper --home HOME [--config FILE] [--log-level LEVEL] [--daemon-binary PATH]\n"
    "       baton-keeper --version\n"
    "       baton-keeper ... --check-resume   (with BATON_KEEPER_RESUME: could it resume that state?)\n"
    "Holds the listening sockets and runs `baton daemon` under them (normally started by `baton keeper`).\n";
constexpr std::array<std::string_view, 7> kLogLevels{"trace", "debug", "info", "warn", "error", "critical", "off"};

int usage_error(const std::string& message) {
  fmt::print(stderr, "baton-keeper: {}\n{}", message, kUsage);
  return 2;
}

// The baton installed beside this binary.
std::string baton_beside_self() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "" : (self.parent_path() / "baton").string();
}

// The trial before a keeper upgrade (keeper/keeper_reexec.hpp): the state decodes and names open
// descriptors, so the exec that follows finds what it needs.
int check_resume(const char* resume_text) {
  std::expected<baton::KeeperState, std::string> state =
      std::unexpected(std::string(baton::kKeeperResumeVariable) + " is not set");
  if (resume_text) state = baton::decode_keeper_state(resume_text);
  if (!state) {
    fmt::print(stderr, "baton-keeper: cannot resume: {}\n", state.error());
    return 1;
  }
  for (int fd : baton::descriptors_of(*state))
    if (::fcntl(fd, F_GETFD) < 0) {
      fmt::print(stderr, "baton-keeper: cannot resume: descriptor {} is not open\n", fd);
      return 1;
    }
  fmt::print("baton-keeper {} can resume: daemon {}, {} listeners\n", BATON_VERSION, state->daemon, state->held.size());
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  baton::KeeperOptions options;
  bool check_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == baton::kKeeperCheckResumeFlag) {
      check_only = true;
      continue;
    }
    if (arg == "--version") {
      fmt::print("baton-keeper {}\n", BATON_VERSION);
      return 0;
    }
    if (arg == "--help" || arg == "-h") {
      fmt::print("{}", kUsage);
      return 0;
    }
    std::string* value = arg == "--home"            ? &options.home
                         : arg == "--config"        ? &options.config_path
                         : arg == "-c"              ? &options.config_path
                         : arg == "--log-level"     ? &options.log_level
                         : arg == "--daemon-binary" ? &options.daemon_binary
                                                    : nullptr;
    if (!value) return usage_error(fmt::format("unknown argument '{}'", arg));
    if (i + 1 >= argc) return usage_error(fmt::format("{} needs a value", arg));
    *value = argv[++i];
  }
  if (options.home.empty()) return usage_error("--home is required");
  if (!options.log_level.empty() && std::find(kLogLevels.begin(), kLogLevels.end(), options.log_level) == kLogLevels.end())
    return usage_error(fmt::format("--log-level '{}' is not one of trace, debug, info, warn, error, critical, off",
                                   options.log_level));
  if (options.daemon_binary.empty()) options.daemon_binary = baton_beside_self();
  if (options.daemon_binary.empty() || ::access(options.daemon_binary.c_str(), X_OK) != 0) {
    fmt::print(stderr, "baton-keeper: no baton binary to run the daemon at '{}' (--daemon-binary)\n",
               options.daemon_binary);
    return 1;
  }
  const char* resume_text = std::getenv(baton::kKeeperResumeVariable);
  if (check_only) return check_resume(resume_text);
  if (!resume_text) return baton::run_keeper(options, nullptr);
  auto state = baton::decode_keeper_state(resume_text);
  ::unsetenv(baton::kKeeperResumeVariable);
  if (!state) {
    fmt::print(stderr, "baton-keeper: cannot resume the keeper before: {}\n", state.error());
    return 1;
  }
  return baton::run_keeper(options, &*state);
}
