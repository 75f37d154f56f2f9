#include "state/state_db.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state/deploy_journal.hpp"
#include "state/release_store.hpp"
#include "state/schema.hpp"
#include "state/service_store.hpp"
#include "state/test_db.hpp"

namespace baton::state {
namespace {
using testing::read_bytes;
using testing::TempDir;
using testing::write_bytes;

TEST(StateDb, CreatesAPrivateFileInWalModeWithFullSync) {
  TempDir home;
  auto db = open_state_db(home.path());
  ASSERT_TRUE(db.has_value()) << db.error();
  EXPECT_EQ(db->path(), (home.path() / "state.db").string());
  EXPECT_EQ(db->query_text("PRAGMA journal_mode").value(), "wal");
  EXPECT_EQ(db->query_int64("PRAGMA synchronous").value(), 2);  // FULL
  EXPECT_EQ(db->query_int64("PRAGMA foreign_keys").value(), 1);
  EXPECT_EQ(schema_version(*db).value(), kSchemaVersion);
  struct stat st {};
  ASSERT_EQ(::stat(db->path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(StateDb, ReopenedFileKeepsItsData) {
  TempDir home;
  std::int64_t deploy_id = 0;
  {
    auto db = open_state_db(home.path());
    ASSERT_TRUE(db.has_value()) << db.error();
    ASSERT_TRUE(ServiceStore(*db).upsert({.name = "web", .spec_json = R"({"port":3000})"}).has_value());
    ASSERT_TRUE(ReleaseStore(*db).create({.service = "web", .version = "v1", .status = ReleaseStatus::live}));
    auto deploy = DeployJournal(*db).begin({.service = "web", .to_release = "r2", .strategy = "rolling"});
    ASSERT_TRUE(deploy.has_value()) << deploy.error();
    deploy_id = deploy->id;
  }
  auto db = open_state_db(home.path());
  ASSERT_TRUE(db.has_value()) << db.error();
  auto service = ServiceStore(*db).get("web");
  ASSERT_TRUE(service.has_value() && service->has_value());
  EXPECT_EQ((*service)->spec_json, R"({"port":3000})");
  EXPECT_EQ((*service)->live_release_id, "r1");
  auto unfinished = DeployJournal(*db).unfinished();
  ASSERT_EQ(unfinished.value().size(), 1u);
  EXPECT_EQ(unfinished->front().id, deploy_id);
}

// A child journals a step, then is killed with SIGKILL mid-deploy: the step
// must be there for the next daemon, because it was committed before the
// child reported it (and so before any side effect it names).
TEST(StateDb, JournalSurvivesKill9) {
  TempDir home;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto db = open_state_db(home.path());
    if (!db || !ServiceStore(*db).upsert({.name = "web", .spec_json = "{}"})) ::_exit(1);
    auto deploy = DeployJournal(*db).begin({.service = "web", .to_release = "r1", .strategy = "recreate"});
    if (!deploy || !DeployJournal(*db).append_step(deploy->id, "start_instances", R"({"batch":0})")) ::_exit(1);
    char byte = 'x';
    if (::write(ready[1], &byte, 1) != 1) ::_exit(1);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1) << "child failed to journal";
  ::close(ready[0]);
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);

  auto db = open_state_db(home.path());
  ASSERT_TRUE(db.has_value()) << db.error();
  auto unfinished = DeployJournal(*db).unfinished().value();
  ASSERT_EQ(unfinished.size(), 1u);
  EXPECT_EQ(unfinished[0].step, "start_instances");
  auto steps = DeployJournal(*db).steps(unfinished[0].id).value();
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[1].detail, R"({"batch":0})");
}

TEST(StateDb, GarbageFileIsAnErrorAndStaysByteForByte) {
  TempDir home;
  auto path = home.path() / "state.db";
  std::string garbage(5000, '\x7f');
  garbage.replace(0, 12, "shopping list");
  write_bytes(path, garbage);
  auto db = open_state_db(home.path());
  ASSERT_FALSE(db.has_value());
  EXPECT_NE(db.error().find(path.string() + " is corrupt or not an SQLite database"), std::string::npos)
      << db.error();
  EXPECT_EQ(read_bytes(path), garbage);
}

TEST(StateDb, NewerSchemaIsAnErrorAndStaysByteForByte) {
  TempDir home;
  auto path = home.path() / "state.db";
  {
    auto db = open_state_db(home.path());
    ASSERT_TRUE(db.has_value()) << db.error();
    ASSERT_TRUE(db->exec("PRAGMA user_version = 7").has_value());
  }  // the last connection checkpoints the WAL into the file
  std::string before = read_bytes(path);
  {
    auto db = open_state_db(home.path());
    ASSERT_FALSE(db.has_value());
    EXPECT_EQ(db.error(), path.string() + " was written by a newer baton (schema 7, this build knows " +
                              std::to_string(kSchemaVersion) + "): upgrade baton or move the file away");
  }
  EXPECT_EQ(read_bytes(path), before);
}

TEST(StateDb, MissingHomeIsAnError) {
  TempDir home;
  auto db = open_state_db(home.path() / "nope");
  ASSERT_FALSE(db.has_value());
  EXPECT_NE(db.error().find("nope/state.db"), std::string::npos) << db.error();
}
}  // namespace
}  // namespace baton::state
