#include "supervisor/process_identity.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <fmt/format.h>

#include "supervisor/spawn.hpp"
#include "supervisor/test_support.hpp"

namespace baton::supervisor {
namespace {
using namespace testing;

ProcessIdentity start_sleeper() {
  return spawn(SpawnSpec{.command = {"sleep", "30"}}).value().identity;
}
}  // namespace

TEST(ProcessIdentity, TokensAreRandomHex) {
  auto a = new_token(), b = new_token();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
}

TEST(ProcessIdentity, BootIdIsAUuid) {
  EXPECT_EQ(current_boot_id().value().size(), 36u);
}

TEST(ProcessIdentity, LiveInstanceVerifiesAndCanBeAdopted) {
  auto id = start_sleeper();
  EXPECT_TRUE(verify(id));
  auto pidfd = adopt(id);
  ASSERT_TRUE(pidfd) << pidfd.error();
  EXPECT_TRUE(*pidfd);
  kill_group_and_reap(id.pid);
}

TEST(ProcessIdentity, AnythingThatDiffersIsAnotherProcess) {
  auto id = start_sleeper();
  auto other_token = id, other_start = id, other_boot = id;
  other_token.token = new_token();
  other_start.start_time += 1;
  other_boot.boot_id = "00000000-0000-0000-0000-000000000000";
  EXPECT_EQ(verify(other_token).error(), fmt::format("pid {} does not carry the instance's token", id.pid));
  EXPECT_EQ(verify(other_start).error(), fmt::format("pid {} now belongs to another process", id.pid));
  EXPECT_EQ(verify(other_boot).error(), "the machine has rebooted since");
  EXPECT_FALSE(adopt(other_token));
  kill_group_and_reap(id.pid);
}

TEST(ProcessIdentity, ExitedProcessIsGone) {
  auto id = start_sleeper();
  ::kill(id.pid, SIGKILL);
  poll_until([&] { return !alive(id.pid); });
  auto before_reaping = verify(id);  // a zombie is not an instance either
  ::waitpid(id.pid, nullptr, 0);
  EXPECT_FALSE(before_reaping);
  EXPECT_EQ(verify(id).error(), fmt::format("pid {} has exited", id.pid));
  EXPECT_FALSE(adopt(id));
}
}  // namespace baton::supervisor
