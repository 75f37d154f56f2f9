// Where state lives by default: on disk that survives a reboot.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "cli/command_line.hpp"

namespace baton::cli {
namespace {
std::string home_with(const std::map<std::string, std::string>& vars, bool root) {
  return default_home(
      [&](const char* name) -> const char* {
        auto it = vars.find(name);
        return it == vars.end() ? nullptr : it->second.c_str();
      },
      root);
}
}  // namespace

TEST(DefaultHome, BatonHomeWins) {
  EXPECT_EQ(home_with({{"BATON_HOME", "/srv/baton"}, {"HOME", "/home/a"}}, true), "/srv/baton");
  EXPECT_EQ(home_with({{"BATON_HOME", "/srv/baton"}}, false), "/srv/baton");
}

TEST(DefaultHome, RootKeepsStateInVarLib) {
  EXPECT_EQ(home_with({{"HOME", "/root"}, {"XDG_RUNTIME_DIR", "/run/user/0"}}, true), "/var/lib/baton");
}

TEST(DefaultHome, UsersKeepStateInTheirStateDirectoryNotTheRuntimeOne) {
  EXPECT_EQ(home_with({{"HOME", "/home/a"}, {"XDG_RUNTIME_DIR", "/run/user/1000"}}, false),
            "/home/a/.local/state/baton");
  EXPECT_EQ(home_with({{"HOME", "/home/a"}, {"XDG_STATE_HOME", "/data/state"}}, false), "/data/state/baton");
  EXPECT_EQ(home_with({{"BATON_HOME", ""}, {"HOME", "/home/a"}}, false), "/home/a/.local/state/baton");
  EXPECT_EQ(home_with({}, false), ".baton");
}
}  // namespace baton::cli
