#include "state/release_store.hpp"

#include <gtest/gtest.h>

#include "state/service_store.hpp"
#include "state/test_db.hpp"

namespace baton::state {
namespace {
Timestamp rows_time(std::int64_t ms) { return Timestamp(std::chrono::milliseconds(ms)); }

class ReleaseStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ServiceStore(db_).upsert({.name = "web", .spec_json = "{}"}));
    ASSERT_TRUE(ServiceStore(db_).upsert({.name = "api", .spec_json = "{}"}));
  }
  ReleaseRecord create(std::string_view service, std::string_view version,
                       ReleaseStatus status = ReleaseStatus::standby) {
    auto created = releases_.create({.service = std::string(service),
                                     .version = std::string(version),
                                     .spec_json = R"({"cmd":"app"})",
                                     .created_by = "alice",
                                     .status = status});
    EXPECT_TRUE(created.has_value()) << created.error();
    return created.value_or(ReleaseRecord{});
  }
  Database db_ = testing::memory_db();
  ReleaseStore releases_{db_};
};

TEST_F(ReleaseStoreTest, AssignsIncreasingIdsPerService) {
  Timestamp before = now();
  ReleaseRecord first = create("web", "v1");
  EXPECT_EQ(first.id, "r1");
  EXPECT_EQ(first.service, "web");
  EXPECT_EQ(first.created_by, "alice");
  EXPECT_GE(first.created_at, before);
  EXPECT_EQ(create("web", "v2").id, "r2");
  EXPECT_EQ(create("api", "v1").id, "r1");
  EXPECT_EQ(create("web", "v3").id, "r3");

  auto stored = releases_.get("web", "r2").value();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->version, "v2");
  EXPECT_EQ(stored->spec_json, R"({"cmd":"app"})");
  EXPECT_EQ(stored->status, ReleaseStatus::standby);
  EXPECT_EQ(releases_.get("web", "r9").value(), std::nullopt);
}

TEST_F(ReleaseStoreTest, IdsAreNeverReusedEvenAfterTheServiceIsRecreated) {
  create("web", "v1");
  create("web", "v2");
  ASSERT_TRUE(ServiceStore(db_).remove("web").value());
  ASSERT_TRUE(ServiceStore(db_).upsert({.name = "web", .spec_json = "{}"}));
  EXPECT_EQ(create("web", "v3").id, "r3");
}

TEST_F(ReleaseStoreTest, ListsNewestFirstNumerically) {
  for (int i = 1; i <= 11; ++i) create("web", std::to_string(i));
  auto all = releases_.list("web").value();
  ASSERT_EQ(all.size(), 11u);
  EXPECT_EQ(all[0].id, "r11");
  EXPECT_EQ(all[1].id, "r10");
  EXPECT_EQ(all[2].id, "r9");
  EXPECT_EQ(all[10].id, "r1");
  EXPECT_TRUE(releases_.list("api").value().empty());
}

TEST_F(ReleaseStoreTest, MakingOneLiveDemotesThePreviousToStandby) {
  create("web", "v1", ReleaseStatus::live);
  create("web", "v2");
  EXPECT_EQ(releases_.live("web").value()->id, "r1");

  ASSERT_TRUE(releases_.set_status("web", "r2", ReleaseStatus::live).has_value());
  EXPECT_EQ(releases_.live("web").value()->id, "r2");
  EXPECT_EQ(releases_.get("web", "r1").value()->status, ReleaseStatus::standby);

  // Rollback: the old one comes back, the new one is marked.
  ASSERT_TRUE(releases_.set_status("web", "r1", ReleaseStatus::live).has_value());
  ASSERT_TRUE(releases_.set_status("web", "r2", ReleaseStatus::rolled_back).has_value());
  EXPECT_EQ(releases_.live("web").value()->id, "r1");
  EXPECT_EQ(releases_.get("web", "r2").value()->status, ReleaseStatus::rolled_back);
  EXPECT_EQ(releases_.live("api").value(), std::nullopt);
}

TEST_F(ReleaseStoreTest, SetStatusOfAnUnknownReleaseChangesNothing) {
  create("web", "v1", ReleaseStatus::live);
  auto missing = releases_.set_status("web", "r7", ReleaseStatus::live);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error(), "no release r7 of service 'web'");
  EXPECT_EQ(releases_.live("web").value()->id, "r1") << "the demotion was rolled back";
}

TEST_F(ReleaseStoreTest, EveryStatusRoundTrips) {
  create("web", "v1");
  for (auto status : {ReleaseStatus::deploying, ReleaseStatus::failed, ReleaseStatus::retired, ReleaseStatus::standby,
                      ReleaseStatus::rolled_back, ReleaseStatus::live}) {
    ASSERT_TRUE(releases_.set_status("web", "r1", status).has_value());
    EXPECT_EQ(releases_.get("web", "r1").value()->status, status) << to_string(status);
  }
}

TEST_F(ReleaseStoreTest, CreateNeedsAnExistingService) {
  auto orphan = releases_.create({.service = "ghost", .version = "v1"});
  ASSERT_FALSE(orphan.has_value());
  EXPECT_EQ(orphan.error(), "no service named 'ghost'");
}

TEST_F(ReleaseStoreTest, UnknownStatusOnDiskIsAnErrorNotAGuess) {
  create("web", "v1");
  ASSERT_TRUE(db_.exec("UPDATE releases SET status = 'exploded'").has_value());
  auto read = releases_.get("web", "r1");
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error(), "release r1 of 'web' has an unknown status 'exploded'");
}
TEST_F(ReleaseStoreTest, SaveKeepsTheCallersIdAndUpdatesTheStatus) {
  ReleaseRecord r4{.id = "r4", .service = "web", .version = "v4", .spec_json = "{}", .created_by = "bob",
                   .created_at = rows_time(1000), .status = ReleaseStatus::deploying};
  ASSERT_TRUE(releases_.save(r4).has_value());
  r4.status = ReleaseStatus::failed;
  r4.reason = "not healthy within 120000 ms";
  ASSERT_TRUE(releases_.save(r4).has_value());
  auto stored = releases_.get("web", "r4").value();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->status, ReleaseStatus::failed);
  EXPECT_EQ(stored->reason, "not healthy within 120000 ms");
  EXPECT_EQ(stored->created_by, "bob");
  EXPECT_EQ(stored->created_at, rows_time(1000));
  EXPECT_EQ(create("web", "v5").id, "r5") << "create() continues after a saved id";
}

TEST_F(ReleaseStoreTest, SavingALiveReleaseDemotesThePreviousOne) {
  create("web", "v1", ReleaseStatus::live);
  ASSERT_TRUE(releases_.save({.id = "r2", .service = "web", .version = "v2", .status = ReleaseStatus::live}));
  EXPECT_EQ(releases_.live("web").value()->id, "r2");
  EXPECT_EQ(releases_.get("web", "r1").value()->status, ReleaseStatus::standby);
}

TEST_F(ReleaseStoreTest, SaveRefusesABadIdOrAnUnknownService) {
  for (const char* id : {"", "7", "r", "r0", "rx", "r3x"}) {
    auto saved = releases_.save({.id = id, .service = "web", .version = "v"});
    ASSERT_FALSE(saved.has_value()) << id;
    EXPECT_NE(saved.error().find("is not a release id"), std::string::npos) << saved.error();
  }
  auto orphan = releases_.save({.id = "r1", .service = "ghost", .version = "v1"});
  ASSERT_FALSE(orphan.has_value());
  EXPECT_EQ(orphan.error(), "no service named 'ghost'");
  EXPECT_TRUE(releases_.list("web").value().empty());
}
TEST_F(ReleaseStoreTest, ARemovedReleaseIsGoneAndItsIdIsNeverReused) {
  create("web", "v1");
  create("web", "v2", ReleaseStatus::live);
  EXPECT_TRUE(releases_.remove("web", "r1").value());
  EXPECT_FALSE(releases_.remove("web", "r1").value());
  EXPECT_FALSE(releases_.get("web", "r1").value().has_value());
  EXPECT_EQ(releases_.list("web").value().size(), 1u);
  EXPECT_EQ(create("web", "v3").id, "r3");
}
}  // namespace
}  // namespace baton::state
