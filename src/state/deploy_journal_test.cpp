#include "state/deploy_journal.hpp"

#include <gtest/gtest.h>

#include "state/service_store.hpp"
#include "state/state_db.hpp"
#include "state/test_db.hpp"

namespace baton::state {
namespace {
DeployRecord web_deploy(std::string to = "r2") {
  return {.service = "web", .from_release = "r1", .to_release = std::move(to), .strategy = "rolling"};
}

class DeployJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ServiceStore(db_).upsert({.name = "web", .spec_json = "{}"}));
    ASSERT_TRUE(ServiceStore(db_).upsert({.name = "api", .spec_json = "{}"}));
  }
  Database db_ = testing::memory_db();
  DeployJournal journal_{db_};
};

TEST_F(DeployJournalTest, BeginJournalsTheFirstStep) {
  Timestamp before = now();
  auto deploy = journal_.begin(web_deploy());
  ASSERT_TRUE(deploy.has_value()) << deploy.error();
  EXPECT_GT(deploy->id, 0);
  EXPECT_EQ(deploy->status, DeployStatus::running);
  EXPECT_EQ(deploy->step, "started");
  EXPECT_GE(deploy->started_at, before);

  auto stored = journal_.get(deploy->id).value();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->from_release, "r1");
  EXPECT_EQ(stored->to_release, "r2");
  EXPECT_EQ(stored->strategy, "rolling");
  auto steps = journal_.steps(deploy->id).value();
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].seq, 1);
  EXPECT_EQ(steps[0].name, "started");
}

TEST_F(DeployJournalTest, StepsAppendInOrderAndMoveTheCurrentStep) {
  auto deploy = journal_.begin(web_deploy()).value();
  EXPECT_EQ(journal_.append_step(deploy.id, "start_instances", R"({"batch":0})").value(), 2);
  EXPECT_EQ(journal_.append_step(deploy.id, "switch").value(), 3);
  EXPECT_EQ(journal_.get(deploy.id).value()->step, "switch");
  auto steps = journal_.steps(deploy.id).value();
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[1].name, "start_instances");
  EXPECT_EQ(steps[1].detail, R"({"batch":0})");
  EXPECT_EQ(steps[2].name, "switch");
  EXPECT_EQ(steps[2].detail, "");
}

TEST_F(DeployJournalTest, SecondDeployOfAServiceNamesTheRunningOne) {
  auto first = journal_.begin(web_deploy()).value();
  ASSERT_TRUE(journal_.append_step(first.id, "wait_healthy"));
  auto second = journal_.begin(web_deploy("r3"));
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error(), "a deploy of 'web' is already running: deploy " + std::to_string(first.id) +
                                " of 'web' (r1 -> r2, rolling) at step 'wait_healthy'; wait for it or cancel it");
  EXPECT_TRUE(journal_.begin({.service = "api", .to_release = "r1", .strategy = "recreate"}).has_value())
      << "the lock is per service";
}

TEST_F(DeployJournalTest, FinishingReleasesTheLock) {
  for (auto status : {DeployStatus::done, DeployStatus::failed, DeployStatus::rolled_back}) {
    auto deploy = journal_.begin(web_deploy());
    ASSERT_TRUE(deploy.has_value()) << deploy.error();
    ASSERT_TRUE(journal_.finish(deploy->id, status, status == DeployStatus::done ? "" : "health check timed out"));
    auto stored = journal_.get(deploy->id).value();
    EXPECT_EQ(stored->status, status);
    EXPECT_EQ(stored->error, status == DeployStatus::done ? "" : "health check timed out");
  }
  auto history = journal_.history("web", 2).value();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].status, DeployStatus::rolled_back);
  EXPECT_EQ(history[1].status, DeployStatus::failed);
}

TEST_F(DeployJournalTest, AFinishedDeployTakesNoMoreSteps) {
  auto deploy = journal_.begin(web_deploy()).value();
  ASSERT_TRUE(journal_.finish(deploy.id, DeployStatus::done));
  std::string finished = "deploy " + std::to_string(deploy.id) + " of 'web' already finished (done)";
  EXPECT_EQ(journal_.append_step(deploy.id, "late").error(), finished);
  EXPECT_EQ(journal_.finish(deploy.id, DeployStatus::failed).error(), finished);
  EXPECT_EQ(journal_.steps(deploy.id).value().size(), 1u);
  EXPECT_FALSE(journal_.finish(deploy.id + 100, DeployStatus::done).has_value());
  EXPECT_FALSE(journal_.finish(deploy.id, DeployStatus::running).has_value());
}

TEST_F(DeployJournalTest, UnfinishedListsRunningDeploysOldestFirst) {
  auto web = journal_.begin(web_deploy()).value();
  auto api = journal_.begin({.service = "api", .to_release = "r1", .strategy = "blue-green"}).value();
  auto unfinished = journal_.unfinished().value();
  ASSERT_EQ(unfinished.size(), 2u);
  EXPECT_EQ(unfinished[0].id, web.id);
  EXPECT_EQ(unfinished[1].id, api.id);
  EXPECT_EQ(unfinished[1].from_release, std::nullopt);
  ASSERT_TRUE(journal_.finish(web.id, DeployStatus::done));
  EXPECT_EQ(journal_.unfinished().value().size(), 1u);
  EXPECT_EQ(journal_.running("web").value(), std::nullopt);
  EXPECT_EQ(journal_.running("api").value()->id, api.id);
}

TEST_F(DeployJournalTest, BeginNeedsAnExistingService) {
  auto deploy = journal_.begin({.service = "ghost", .to_release = "r1", .strategy = "rolling"});
  ASSERT_FALSE(deploy.has_value());
  EXPECT_EQ(deploy.error(), "no service named 'ghost'");
}

// Two daemons (or a daemon and a stray CLI) share one file: the lock holds across connections.
TEST(DeployLock, HoldsAcrossConnections) {
  testing::TempDir home;
  auto first_db = open_state_db(home.path());
  auto second_db = open_state_db(home.path());
  ASSERT_TRUE(first_db.has_value() && second_db.has_value());
  ASSERT_TRUE(ServiceStore(*first_db).upsert({.name = "web", .spec_json = "{}"}));
  auto first = DeployJournal(*first_db).begin(web_deploy());
  ASSERT_TRUE(first.has_value()) << first.error();

  auto second = DeployJournal(*second_db).begin(web_deploy("r3"));
  ASSERT_FALSE(second.has_value());
  EXPECT_NE(second.error().find("deploy " + std::to_string(first->id) + " of 'web' (r1 -> r2, rolling)"),
            std::string::npos)
      << second.error();

  ASSERT_TRUE(DeployJournal(*first_db).finish(first->id, DeployStatus::done));
  EXPECT_TRUE(DeployJournal(*second_db).begin(web_deploy("r3")).has_value());
}
}  // namespace
}  // namespace baton::state
