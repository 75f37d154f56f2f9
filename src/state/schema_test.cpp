#include "state/schema.hpp"

#include <gtest/gtest.h>

#include "state/test_db.hpp"

namespace baton::state {
namespace {
TEST(Schema, MigratesAnEmptyDatabaseToTheCurrentVersion) {
  auto db = Database::open(":memory:");
  ASSERT_TRUE(db.has_value());
  EXPECT_EQ(schema_version(*db).value(), 0);
  ASSERT_TRUE(migrate(*db).has_value());
  EXPECT_EQ(schema_version(*db).value(), kSchemaVersion);
  EXPECT_EQ(db->query_int64("PRAGMA application_id").value(), kApplicationId);
  EXPECT_EQ(db->query_int64("SELECT count(*) FROM sqlite_schema WHERE name = 'deploys'").value(), 1);
  ASSERT_TRUE(migrate(*db).has_value()) << "migrating twice is a no-op";
  EXPECT_EQ(schema_version(*db).value(), kSchemaVersion);
}

TEST(Schema, ForeignKeysAreEnforced) {
  auto db = testing::memory_db();
  auto orphan = db.exec("INSERT INTO releases VALUES ('ghost', 'r1', 1, 'v', '{}', 'me', 0, 'standby', '')");
  ASSERT_FALSE(orphan.has_value());
  EXPECT_NE(orphan.error().find("FOREIGN KEY"), std::string::npos) << orphan.error();
}

TEST(Schema, RefusesANewerSchema) {
  auto db = testing::memory_db();
  ASSERT_TRUE(db.exec("PRAGMA user_version = 7").has_value());
  auto migrated = migrate(db);
  ASSERT_FALSE(migrated.has_value());
  EXPECT_EQ(migrated.error(), ":memory: was written by a newer baton (schema 7, this build knows " +
                                  std::to_string(kSchemaVersion) + "): upgrade baton or move the file away");
  EXPECT_EQ(check_schema(db).error(), migrated.error());
  EXPECT_EQ(schema_version(db).value(), 7);
}

TEST(Schema, RefusesAnotherApplicationsDatabase) {
  auto db = Database::open(":memory:");
  ASSERT_TRUE(db->exec("CREATE TABLE notes (body TEXT)").has_value());
  auto migrated = migrate(*db);
  ASSERT_FALSE(migrated.has_value());
  EXPECT_NE(migrated.error().find("is not a baton state database (it has tables"), std::string::npos)
      << migrated.error();
  EXPECT_EQ(db->query_int64("SELECT count(*) FROM sqlite_schema").value(), 1);

  auto other = Database::open(":memory:");
  ASSERT_TRUE(other->exec("PRAGMA application_id = 42").has_value());
  auto refused = migrate(*other);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().find("application_id 0x2a"), std::string::npos) << refused.error();
}
}  // namespace
}  // namespace baton::state
