#include "state/instance_store.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "state/release_store.hpp"
#include "state/service_store.hpp"
#include "state/test_db.hpp"

namespace baton::state {
namespace {
InstanceRecord instance(std::string release_id, int index, std::int64_t pid) {
  return {.service = "web",
          .release_id = std::move(release_id),
          .index = index,
          .pid = pid,
          .start_time_ticks = 123456789,
          .boot_id = "2f1d6a0c-boot",
          .token = "tok-" + std::to_string(index),
          .port = 41000 + index,
          .state = InstanceState::starting,
          .restarts = 0,
          .started_at = Timestamp(std::chrono::milliseconds(1'700'000'000'000))};
}

class InstanceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ServiceStore(db_).upsert({.name = "web", .spec_json = "{}"}));
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(ReleaseStore(db_).create({.service = "web", .version = "v"}));
  }
  Database db_ = testing::memory_db();
  InstanceStore instances_{db_};
};

TEST_F(InstanceStoreTest, ReplaceStoresEveryField) {
  std::vector<InstanceRecord> set{instance("r1", 0, 100), instance("r1", 1, 101)};
  ASSERT_TRUE(instances_.replace("web", "r1", set).has_value());
  auto stored = instances_.get("web", "r1", 1).value();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->pid, 101);
  EXPECT_EQ(stored->start_time_ticks, 123456789);
  EXPECT_EQ(stored->boot_id, "2f1d6a0c-boot");
  EXPECT_EQ(stored->token, "tok-1");
  EXPECT_EQ(stored->port, 41001);
  EXPECT_EQ(stored->state, InstanceState::starting);
  EXPECT_EQ(stored->started_at, set[1].started_at);
  EXPECT_EQ(instances_.get("web", "r1", 2).value(), std::nullopt);
}

TEST_F(InstanceStoreTest, ReplaceSwapsTheWholeSetOfOneRelease) {
  std::vector<InstanceRecord> old_set{instance("r1", 0, 100), instance("r1", 1, 101), instance("r1", 2, 102)};
  std::vector<InstanceRecord> other{instance("r2", 0, 200)};
  ASSERT_TRUE(instances_.replace("web", "r1", old_set).has_value());
  ASSERT_TRUE(instances_.replace("web", "r2", other).has_value());
  std::vector<InstanceRecord> new_set{instance("r1", 0, 300)};
  ASSERT_TRUE(instances_.replace("web", "r1", new_set).has_value());

  auto all = instances_.list("web").value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].pid, 300);
  EXPECT_EQ(all[1].pid, 200);

  ASSERT_TRUE(instances_.replace("web", "r1", {}).has_value());
  EXPECT_EQ(instances_.list("web").value().size(), 1u);
}

TEST_F(InstanceStoreTest, ReplaceRejectsAMismatchedRecordAndKeepsTheOldSet) {
  std::vector<InstanceRecord> set{instance("r1", 0, 100)};
  ASSERT_TRUE(instances_.replace("web", "r1", set).has_value());
  std::vector<InstanceRecord> wrong{instance("r1", 0, 500), instance("r2", 1, 501)};
  auto replaced = instances_.replace("web", "r1", wrong);
  ASSERT_FALSE(replaced.has_value());
  EXPECT_EQ(replaced.error(), "instance web/r2#1 does not belong to web/r1");
  EXPECT_EQ(instances_.get("web", "r1", 0).value()->pid, 100);
}

TEST_F(InstanceStoreTest, ReplaceNeedsAnExistingRelease) {
  auto replaced = instances_.replace("web", "r99", {});
  ASSERT_FALSE(replaced.has_value());
  EXPECT_EQ(replaced.error(), "no release r99 of service 'web'");
}

TEST_F(InstanceStoreTest, UpdateChangesOneInstance) {
  std::vector<InstanceRecord> set{instance("r1", 0, 100), instance("r1", 1, 101)};
  ASSERT_TRUE(instances_.replace("web", "r1", set).has_value());
  InstanceRecord restarted = set[1];
  restarted.pid = 999;
  restarted.state = InstanceState::ready;
  restarted.restarts = 2;
  ASSERT_TRUE(instances_.update(restarted).has_value());
  EXPECT_EQ(instances_.get("web", "r1", 1).value()->pid, 999);
  EXPECT_EQ(instances_.get("web", "r1", 1).value()->state, InstanceState::ready);
  EXPECT_EQ(instances_.get("web", "r1", 1).value()->restarts, 2);
  EXPECT_EQ(instances_.get("web", "r1", 0).value()->pid, 100);

  auto missing = instances_.update(instance("r1", 7, 1));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error(), "no instance web/r1#7");
}

TEST_F(InstanceStoreTest, ListOrdersByReleaseAgeNotText) {
  std::vector<InstanceRecord> newer{instance("r10", 0, 1000)};
  std::vector<InstanceRecord> older{instance("r9", 1, 901), instance("r9", 0, 900)};
  ASSERT_TRUE(instances_.replace("web", "r10", newer).has_value());
  ASSERT_TRUE(instances_.replace("web", "r9", older).has_value());
  auto all = instances_.list_all().value();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].pid, 900);
  EXPECT_EQ(all[1].pid, 901);
  EXPECT_EQ(all[2].pid, 1000);
}

TEST_F(InstanceStoreTest, RemoveDeletesOneInstance) {
  std::vector<InstanceRecord> set{instance("r1", 0, 100), instance("r1", 1, 101)};
  ASSERT_TRUE(instances_.replace("web", "r1", set).has_value());
  EXPECT_TRUE(instances_.remove("web", "r1", 0).value());
  EXPECT_FALSE(instances_.remove("web", "r1", 0).value());
  ASSERT_EQ(instances_.list("web").value().size(), 1u);
}

TEST_F(InstanceStoreTest, EveryStateRoundTrips) {
  std::vector<InstanceRecord> set{instance("r1", 0, 100)};
  ASSERT_TRUE(instances_.replace("web", "r1", set).has_value());
  for (auto state : {InstanceState::ready, InstanceState::draining, InstanceState::stopped}) {
    set[0].state = state;
    ASSERT_TRUE(instances_.update(set[0]).has_value());
    EXPECT_EQ(instances_.get("web", "r1", 0).value()->state, state) << to_string(state);
  }
}
}  // namespace
}  // namespace baton::state
