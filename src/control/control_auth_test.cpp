#include <gtest/gtest.h>

#include "control/bearer_token.hpp"
#include "control/peer_check.hpp"

namespace baton::control {
namespace {
TEST(PeerCheck, OnlyTheDaemonsUserAndRootAreServed) {
  EXPECT_TRUE(peer_allowed(1000, 1000));
  EXPECT_TRUE(peer_allowed(0, 1000));
  EXPECT_TRUE(peer_allowed(0, 0));
  EXPECT_FALSE(peer_allowed(1001, 1000));
  EXPECT_FALSE(peer_allowed(65534, 0));
  EXPECT_FALSE(peer_allowed(65534, 1000));
}

TEST(BearerToken, MatchesOnlyTheExactToken) {
  EXPECT_TRUE(same_bytes_in_constant_time("", ""));
  EXPECT_TRUE(same_bytes_in_constant_time("abc", "abc"));
  EXPECT_FALSE(same_bytes_in_constant_time("abc", "abd"));
  EXPECT_FALSE(same_bytes_in_constant_time("xbc", "abc"));
  EXPECT_FALSE(same_bytes_in_constant_time("abc", "abcd"));
  EXPECT_FALSE(same_bytes_in_constant_time(std::string_view("a\0c", 3), std::string_view("a\0d", 3)));
  EXPECT_TRUE(bearer_matches("Bearer s3cret", "s3cret"));
  EXPECT_TRUE(bearer_matches("bearer s3cret", "s3cret"));
  EXPECT_TRUE(bearer_matches("BEARER s3cret", "s3cret"));
  EXPECT_FALSE(bearer_matches("Bearer s3cre", "s3cret"));
  EXPECT_FALSE(bearer_matches("Bearer s3cretX", "s3cret"));
  EXPECT_FALSE(bearer_matches("Bearer S3cret", "s3cret"));
  EXPECT_FALSE(bearer_matches("Basic s3cret", "s3cret"));
  EXPECT_FALSE(bearer_matches("Bearers3cret", "s3cret"));
  EXPECT_FALSE(bearer_matches("s3cret", "s3cret"));
  EXPECT_FALSE(bearer_matches("", "s3cret"));
  EXPECT_FALSE(bearer_matches("Bearer ", ""));
}
}  // namespace
}  // namespace baton::control
