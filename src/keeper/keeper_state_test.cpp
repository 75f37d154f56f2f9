#include "keeper/keeper_state.hpp"

#include <gtest/gtest.h>

namespace baton {
TEST(KeeperState, RoundTripsEveryField) {
  KeeperState s{.lock_fd = 3, .daemon = 1234, .link_fd = 7, .daemon_started_ns = 987654321, .restart_delay_ms = 200,
                .served = true, .passed_closed = true, .draining = {4321, 4322},
                .held = {{9, "127.0.0.1:0", "127.0.0.1:41000", false},
                         {10, "unix:/tmp/a b\nc.sock", "unix:/tmp/a b\nc.sock", true}},
                .passed = {{11, "web"}, {12, ""}}};
  auto back = decode_keeper_state(encode_keeper_state(s)).value();
  EXPECT_EQ(back.lock_fd, 3);
  EXPECT_EQ(back.daemon, 1234);
  EXPECT_EQ(back.link_fd, 7);
  EXPECT_EQ(back.daemon_started_ns, 987654321);
  EXPECT_EQ(back.restart_delay_ms, 200);
  EXPECT_TRUE(back.served);
  EXPECT_TRUE(back.passed_closed);
  EXPECT_EQ(back.draining, (std::vector<pid_t>{4321, 4322}));
  ASSERT_EQ(back.held.size(), 2u);
  EXPECT_EQ(back.held[1].fd, 10);
  EXPECT_EQ(back.held[1].requested, "unix:/tmp/a b\nc.sock");
  EXPECT_EQ(back.held[0].bound, "127.0.0.1:41000");
  EXPECT_FALSE(back.held[0].passed);
  EXPECT_TRUE(back.held[1].passed);
  ASSERT_EQ(back.passed.size(), 2u);
  EXPECT_EQ(back.passed[0].name, "web");
  EXPECT_EQ(back.passed[1].name, "");
}

TEST(KeeperState, NoDaemonRunningIsMinusOne) {
  KeeperState s{.lock_fd = 3, .daemon = -1, .link_fd = -1};
  auto back = decode_keeper_state(encode_keeper_state(s)).value();
  EXPECT_EQ(back.daemon, -1);
  EXPECT_EQ(back.link_fd, -1);
}

TEST(KeeperState, RejectsMalformedText) {
  for (std::string_view text :
       {"", "lock 3\n", "daemon 1 2 3 4 0 0\n", "lock x\ndaemon 1 2 3 4 0 0\n", "lock 3\ndaemon 1 2 3 4 0\n",
        "lock 3\ndaemon 1 2 3 4 0 0\nheld 5 zz 00\n", "lock 3\ndaemon 1 2 3 4 0 0\nheld -5 - -\n",
        "lock 3\ndaemon 1 2 3 4 0 0 extra\n", "lock 3\ndaemon 1 2 3 4 0 0\nwhat 1\n",
        "lock 3\ndaemon 1 2 3 4 0 0\ndraining 0\n",
        // What a lax parser would take: signs, trailing bytes, overflow, flags that are not 0 or 1.
        "lock +3\ndaemon 1 2 3 4 0 0\n", "lock 3x\ndaemon 1 2 3 4 0 0\n", "lock 3\ndaemon 1 2 3 4 2 0\n",
        "lock 3\ndaemon 0 2 3 4 0 0\n", "lock 3\ndaemon -2 2 3 4 0 0\n", "lock 3\ndaemon 1 2 3 -4 0 0\n",
        "lock 3\ndaemon 99999999999 2 3 4 0 0\n", "lock 3\ndaemon 1 2 3 4 0 0\nheld 5 +1 00\n",
        "lock 3\ndaemon 1 2 3 4 0 0\ndraining -7\n", "lock 3\ndaemon 1 2 3 4 0 0\nheld 5 - - bound\n",
        "lock 3\ndaemon 1 2 3 4 0 0\nheld 5 - - passed passed\n"})
    EXPECT_FALSE(decode_keeper_state(text).has_value()) << text;
}
}  // namespace baton
