#include "version_sequence.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace baton::load {
namespace {
std::uint64_t regressions_in(std::vector<std::string_view> seen) {
  VersionSequence sequence;
  for (auto version : seen) sequence.see(version);
  return sequence.regressions();
}

TEST(VersionSequence, MovingForwardIsNoRegression) {
  EXPECT_EQ(regressions_in({"v1", "v1", "v2", "v2", "v3"}), 0u);
  EXPECT_EQ(regressions_in({}), 0u);
}

TEST(VersionSequence, GoingBackToALeftVersionIs) {
  EXPECT_EQ(regressions_in({"v1", "v2", "v1"}), 1u);
  EXPECT_EQ(regressions_in({"v1", "v2", "v1", "v1"}), 1u) << "staying back is one regression, not many";
  EXPECT_EQ(regressions_in({"v1", "v2", "v1", "v2"}), 2u) << "flapping counts every switch back";
}

TEST(VersionSequence, ResponsesWithoutAVersionAreIgnored) {
  VersionSequence sequence;
  EXPECT_FALSE(sequence.see("v1"));
  EXPECT_FALSE(sequence.see(""));
  EXPECT_FALSE(sequence.see("v2"));
  EXPECT_FALSE(sequence.see(""));
  EXPECT_TRUE(sequence.see("v1"));
}
}  // namespace
}  // namespace baton::load
