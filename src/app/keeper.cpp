#include "app/keeper.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <vector>

namespace baton {
namespace {
namespace fs = std::filesystem;

std::string running_binary() {
  std::error_code ec;
  auto self = fs::canonical("/proc/self/exe", ec);
  return ec ? "" : self.string();
}
}  // namespace

std::string keeper_beside_self() {
  auto self = running_binary();
  return self.empty() ? "" : (fs::path(self).parent_path() / "baton-keeper").string();
}

int run_keeper(const cli::DaemonCommand& command) {
  // The keeper is a binary of its own so that what runs all the time stays small. The same
  // pid runs it: systemd's main process, a test's child and LISTEN_PID stay right.
  auto keeper = keeper_beside_self();
  std::vector<std::string> args{keeper, "--home", command.home, "--daemon-binary", running_binary()};
  if (!command.config_path.empty()) args.insert(args.end(), {"--config", command.config_path});
  if (command.log_level) args.insert(args.end(), {"--log-level", *command.log_level});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(keeper.c_str(), argv.data());
  fmt::print(stderr, "baton: cannot run the keeper {}: {} (baton-keeper is installed beside baton)\n",
             keeper.empty() ? "baton-keeper" : keeper, std::strerror(errno));
  return 1;
}
}  // namespace baton
