#include <poll.h>
#include <sys/wait.h>

#include <atomic>

#include <fmt/format.h>

#include "supervisor/spawn.hpp"
#include "supervisor/test_support.hpp"

namespace baton::supervisor {
namespace {
using namespace testing;

std::string output_of(SpawnSpec spec) {
  auto spawned = spawn(spec);
  if (!spawned) return "spawn failed: " + spawned.error();
  std::string text;
  char buffer[4096];
  for (;;) {
    pollfd entry{spawned->stdout_pipe.get(), POLLIN, 0};
    if (::poll(&entry, 1, 10'000) <= 0) break;
    auto n = ::read(spawned->stdout_pipe.get(), buffer, sizeof buffer);
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::waitpid(spawned->identity.pid, nullptr, 0);
  return text;
}

// Uid lines of every thread of this process: the real, effective, saved and file-system uids.
std::set<std::string> own_uid_lines() {
  std::set<std::string> lines;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream status(task.path() / "status");
    for (std::string line; std::getline(status, line);)
      if (line.starts_with("Uid:")) lines.insert(line);
  }
  return lines;
}

constexpr std::string_view kIdentityScript = "id -u; id -g; id -G; echo \"$HOME $USER $LOGNAME\"";
}  // namespace

TEST(SpawnAccount, RunsAsTheUserWithItsGroupsAndHomeWhileTheDaemonStaysRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "only root can start processes as another user";
  auto nobody = lookup_user("nobody");
  if (!nobody) GTEST_SKIP() << nobody.error();
  // A second thread, as the daemon has many: glibc's setuid() would have changed it too.
  std::atomic<bool> done = false;
  std::thread other([&] {
    while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  auto text = output_of(SpawnSpec{.command = {std::string(kIdentityScript)}, .user = "nobody"});
  auto uids = own_uid_lines();
  done = true;
  other.join();
  auto groups = member_groups(*nobody).value();
  std::string group_list;
  for (auto gid : groups) group_list += (group_list.empty() ? "" : " ") + std::to_string(gid);
  EXPECT_EQ(text, fmt::format("{}\n{}\n{}\n{} nobody nobody\n", nobody->uid, nobody->gid, group_list, nobody->home));
  EXPECT_EQ(uids, (std::set<std::string>{"Uid:\t0\t0\t0\t0"})) << "every thread of the daemon is still root";
}

TEST(SpawnAccount, AGroupReplacesThePrimaryGroupAndEnvWins) {
  if (::geteuid() != 0) GTEST_SKIP() << "only root can start processes as another user";
  if (!lookup_user("nobody")) GTEST_SKIP() << "no user nobody";
  auto text = output_of(SpawnSpec{.command = {"id -g; echo $HOME"}, .env = {{"HOME", "/srv/app"}},
                                  .user = "nobody", .group = "root"});
  EXPECT_EQ(text, "0\n/srv/app\n");
}

TEST(SpawnAccount, UnknownUserIsAnErrorBeforeAnyProcess) {
  auto spawned = spawn(SpawnSpec{.command = {"true"}, .user = "no-such-user-baton-test"});
  ASSERT_FALSE(spawned);
  EXPECT_EQ(spawned.error(), "no user 'no-such-user-baton-test' on this machine");
  auto grouped = spawn(SpawnSpec{.command = {"true"}, .group = "no-such-group-baton-test"});
  ASSERT_FALSE(grouped);
  EXPECT_EQ(grouped.error(), "no group 'no-such-group-baton-test' on this machine");
}

TEST(SpawnAccount, ANonRootDaemonRunsOnlyAsItself) {
  if (::geteuid() == 0) GTEST_SKIP() << "running as root: any user is allowed";
  auto spawned = spawn(SpawnSpec{.command = {"true"}, .user = "root"});
  ASSERT_FALSE(spawned);
  EXPECT_TRUE(spawned.error().starts_with("user is 'root', but only a daemon running as root")) << spawned.error();
  auto own = lookup_user(std::to_string(::geteuid()));
  if (!own) GTEST_SKIP() << own.error();
  EXPECT_EQ(output_of(SpawnSpec{.command = {"id -u"}, .user = own->name}), std::to_string(::geteuid()) + "\n");
}
}  // namespace baton::supervisor
