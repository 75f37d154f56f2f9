#include "site/release_choice.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "site/release_id.hpp"
#include "site/release_meta.hpp"

namespace baton::site {
namespace {
using Ids = std::vector<std::string>;

TEST(ReleaseId, SortsByTimeAndIsRecognised) {
  using namespace std::chrono;
  auto t = system_clock::time_point(seconds(1'700'000'000)) + microseconds(42);
  auto id = make_release_id(t);
  EXPECT_EQ(id, "20231114-221320-000042");
  EXPECT_TRUE(is_release_id(id));
  EXPECT_LT(id, make_release_id(t + microseconds(1)));
  EXPECT_LT(make_release_id(t + seconds(9)), make_release_id(t + seconds(10)));
  EXPECT_FALSE(is_release_id(".partial-" + id));
  EXPECT_FALSE(is_release_id("20231114-221320-00004a"));
  EXPECT_FALSE(is_release_id(""));
}

TEST(ReleaseMeta, RoundTripsAndRejectsBadNumbers) {
  ReleaseMeta meta{.version = "v1.2\nbad", .published_unix = 1700000000, .files = 3, .bytes = 1234};
  auto parsed = parse_meta(format_meta(meta));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->version, "v1.2 bad");
  EXPECT_EQ(parsed->published_unix, 1700000000);
  EXPECT_EQ(parsed->files, 3u);
  EXPECT_EQ(parsed->bytes, 1234u);
  EXPECT_TRUE(parse_meta("future=1\nfiles=2\n"));
  EXPECT_FALSE(parse_meta("files=two\n"));
}

TEST(ReleasesToPrune, KeepsTheNewestN) {
  Ids ids{"a", "b", "c", "d", "e", "f", "g"};
  EXPECT_EQ(releases_to_prune(ids, "g", 5), (Ids{"b", "a"}));
  EXPECT_EQ(releases_to_prune(ids, "g", 7), Ids{});
}

TEST(ReleasesToPrune, NeverTheLiveOneOrItsPredecessor) {
  Ids ids{"a", "b", "c", "d", "e", "f", "g"};
  // Rolled back to b: b and a stay, and with them the three newest.
  EXPECT_EQ(releases_to_prune(ids, "b", 2), (Ids{"e", "d", "c"}));
  EXPECT_EQ(releases_to_prune(ids, "a", 2), (Ids{"e", "d", "c", "b"}));
}

TEST(RollbackTarget, DefaultsToTheReleaseBeforeTheLiveOne) {
  Ids ids{"a", "b", "c"};
  EXPECT_EQ(rollback_target(ids, "c", ""), "b");
  EXPECT_EQ(rollback_target(ids, "b", ""), "a");
  EXPECT_EQ(rollback_target(ids, "c", "a"), "a");
}

TEST(RollbackTarget, ExplainsWhatIsMissing) {
  Ids ids{"a", "b"};
  EXPECT_NE(rollback_target(ids, "a", "").error().find("no release before"), std::string::npos);
  EXPECT_NE(rollback_target(ids, "", "").error().find("nothing is live"), std::string::npos);
  EXPECT_NE(rollback_target(ids, "b", "x").error().find("no release 'x'"), std::string::npos);
  EXPECT_NE(rollback_target(ids, "b", "b").error().find("already live"), std::string::npos);
}
}  // namespace
}  // namespace baton::site
