#include "base/recent.hpp"

#include <gtest/gtest.h>

namespace baton {
TEST(Recent, KeepsTheLastNOldestFirst) {
  Recent<int, 3> recent;
  EXPECT_EQ(recent.size(), 0u);
  for (int i = 1; i <= 7; ++i) recent.add(i);
  EXPECT_EQ(recent.size(), 3u);
  EXPECT_EQ(recent.list(), (std::vector<int>{5, 6, 7}));
}

TEST(Recent, BelowItsBoundKeepsEverything) {
  Recent<int, 5> recent;
  recent.add(1);
  recent.add(2);
  EXPECT_EQ(recent.list(), (std::vector<int>{1, 2}));
}
}  // namespace baton
