#include "proxy/connection_cap.hpp"

#include <gtest/gtest.h>

namespace baton::proxy {
namespace {
TEST(ConnectionCap, ShedsPastTheLimitAndRecoversAsSlotsAreReleased) {
  ConnectionCap cap;
  cap.set_limit(2);
  EXPECT_TRUE(cap.try_take());
  EXPECT_TRUE(cap.try_take());
  EXPECT_FALSE(cap.try_take());
  EXPECT_FALSE(cap.try_take());
  EXPECT_EQ(cap.open(), 2u);
  EXPECT_EQ(cap.shed(), 2u);
  { ConnectionSlot slot(cap); }  // a session that ends gives its slot back
  EXPECT_EQ(cap.open(), 1u);
  EXPECT_TRUE(cap.try_take());
}

TEST(ConnectionCap, TheDefaultLeavesRoomForUpstreamsAndTheDaemonsOwnFiles) {
  EXPECT_EQ(default_connection_cap(1024), (1024 - 256) / 2);
  EXPECT_EQ(default_connection_cap(1 << 20), ((1 << 20) - (1 << 17)) / 2);
  EXPECT_EQ(default_connection_cap(100), 16u) << "never below a usable minimum";
  EXPECT_GT(default_connection_cap(), 0u);
}
}  // namespace
}  // namespace baton::proxy
