// What each instance slot remembers of its exits, for `baton describe`: the last five, oldest
// first, with their status, the run's uptime and why the run ended.
#include <signal.h>

#include "supervisor/supervisor.hpp"
#include "supervisor/supervisor_fixture.hpp"

namespace baton::supervisor {
using namespace testing;

TEST_F(SupervisorTest, AnInstanceKeepsItsLastFiveExitsOldestFirst) {
  auto s = spec("exit 3");
  s.restart.max_restarts = 7;  // 8 exits, then errored: more than the history holds
  ASSERT_TRUE(start(s));
  ASSERT_TRUE(wait_for([&] { return instance(0).state == InstanceState::errored; }));
  auto status = instance(0);
  EXPECT_EQ(status.exits, 8u);
  ASSERT_EQ(status.recent_exits.size(), kExitHistory);
  for (std::size_t i = 0; i < status.recent_exits.size(); ++i) {
    const auto& exit = status.recent_exits[i];
    EXPECT_EQ(exit.status, "exited with 3");
    EXPECT_EQ(exit.reason, ExitReason::exit);
    EXPECT_GT(exit.time_ms, 0);
    if (i > 0) EXPECT_GE(exit.time_ms, status.recent_exits[i - 1].time_ms);
  }
}

TEST_F(SupervisorTest, AKilledInstanceShowsTheSignalAndAStopShowsWhyItEnded) {
  ASSERT_TRUE(start(spec("exec sleep 30")));
  pid_t first = instance(0).pid;
  ::kill(first, SIGKILL);
  ASSERT_TRUE(wait_for([&] { return instance(0).pid != 0 && instance(0).pid != first; }));
  auto killed = instance(0).recent_exits;
  ASSERT_EQ(killed.size(), 1u);
  EXPECT_EQ(killed[0].status, "killed by SIGKILL");
  EXPECT_EQ(to_string(killed[0].reason), "exit");
  EXPECT_EQ(to_string(ExitReason::stop), "stop");
  EXPECT_EQ(to_string(ExitReason::max_memory), "max_memory");
  EXPECT_EQ(to_string(ExitReason::watchdog), "watchdog");
}
}  // namespace baton::supervisor
