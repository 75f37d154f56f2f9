#include "state/service_store.hpp"

#include <gtest/gtest.h>

#include "state/deploy_journal.hpp"
#include "state/release_store.hpp"
#include "state/test_db.hpp"

namespace baton::state {
namespace {
class ServiceStoreTest : public ::testing::Test {
 protected:
  Database db_ = testing::memory_db();
  ServiceStore services_{db_};
};

TEST_F(ServiceStoreTest, UpsertCreatesThenReplacesTheSpec) {
  Timestamp before = now();
  auto created = services_.upsert({.name = "web", .spec_json = R"({"v":1})"});
  ASSERT_TRUE(created.has_value()) << created.error();
  EXPECT_EQ(created->spec_json, R"({"v":1})");
  EXPECT_GE(created->created_at, before);
  EXPECT_EQ(created->created_at, created->updated_at);
  EXPECT_EQ(created->live_release_id, std::nullopt);

  auto updated = services_.upsert({.name = "web", .spec_json = R"({"v":2})"});
  ASSERT_TRUE(updated.has_value()) << updated.error();
  EXPECT_EQ(updated->spec_json, R"({"v":2})");
  EXPECT_EQ(updated->created_at, created->created_at);
  EXPECT_GE(updated->updated_at, created->updated_at);
  EXPECT_EQ(services_.list().value().size(), 1u);
}

TEST_F(ServiceStoreTest, GetAndListByName) {
  ASSERT_TRUE(services_.upsert({.name = "worker", .spec_json = "{}"}));
  ASSERT_TRUE(services_.upsert({.name = "api", .spec_json = "{}"}));
  EXPECT_EQ(services_.get("nope").value(), std::nullopt);
  EXPECT_EQ(services_.get("api").value()->name, "api");
  auto all = services_.list().value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "api");
  EXPECT_EQ(all[1].name, "worker");
}

TEST_F(ServiceStoreTest, RejectsAnEmptyName) {
  auto empty = services_.upsert({.name = "", .spec_json = "{}"});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error(), "service name is empty");
}

TEST_F(ServiceStoreTest, LiveReleaseIdFollowsTheLiveRelease) {
  ASSERT_TRUE(services_.upsert({.name = "web", .spec_json = "{}"}));
  ReleaseStore releases(db_);
  ASSERT_TRUE(releases.create({.service = "web", .version = "v1", .status = ReleaseStatus::live}));
  EXPECT_EQ(services_.get("web").value()->live_release_id, "r1");
  ASSERT_TRUE(releases.create({.service = "web", .version = "v2", .status = ReleaseStatus::live}));
  EXPECT_EQ(services_.get("web").value()->live_release_id, "r2");
}

TEST_F(ServiceStoreTest, RemoveCascadesToReleasesAndDeploys) {
  ASSERT_TRUE(services_.upsert({.name = "web", .spec_json = "{}"}));
  ASSERT_TRUE(ReleaseStore(db_).create({.service = "web", .version = "v1"}));
  DeployJournal journal(db_);
  auto deploy = journal.begin({.service = "web", .to_release = "r1", .strategy = "rolling"});
  ASSERT_TRUE(journal.finish(deploy->id, DeployStatus::done));

  EXPECT_TRUE(services_.remove("web").value());
  EXPECT_FALSE(services_.remove("web").value());
  EXPECT_EQ(db_.query_int64("SELECT count(*) FROM releases").value(), 0);
  EXPECT_EQ(db_.query_int64("SELECT count(*) FROM deploys").value(), 0);
  EXPECT_EQ(db_.query_int64("SELECT count(*) FROM deploy_steps").value(), 0);
}

TEST_F(ServiceStoreTest, RemoveIsRefusedWhileADeployRuns) {
  ASSERT_TRUE(services_.upsert({.name = "web", .spec_json = "{}"}));
  auto deploy = DeployJournal(db_).begin({.service = "web", .to_release = "r1", .strategy = "rolling"});
  ASSERT_TRUE(deploy.has_value()) << deploy.error();
  auto removed = services_.remove("web");
  ASSERT_FALSE(removed.has_value());
  EXPECT_EQ(removed.error(), "cannot remove service 'web': deploy " + std::to_string(deploy->id) +
                                 " of 'web' (nothing -> r1, rolling) at step 'started' is running");
  EXPECT_TRUE(services_.get("web").value().has_value());
}
}  // namespace
}  // namespace baton::state
