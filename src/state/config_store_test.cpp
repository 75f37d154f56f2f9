#include "state/config_store.hpp"

#include <gtest/gtest.h>

#include "state/test_db.hpp"

namespace baton::state {
namespace {
TEST(ConfigStore, NothingAppliedAtFirst) {
  auto db = testing::memory_db();
  ConfigStore store(db);
  EXPECT_FALSE(store.applied().value().has_value());
  EXPECT_TRUE(store.registered().value().empty());
}

TEST(ConfigStore, TheLastAppliedFileReplacesTheOneBefore) {
  auto db = testing::memory_db();
  ConfigStore store(db);
  ASSERT_TRUE(store.save_applied({.path = "/etc/a.toml", .text = "one"}));
  ASSERT_TRUE(store.save_applied({.path = "/etc/b.toml", .text = "two"}));
  auto applied = store.applied().value();
  ASSERT_TRUE(applied);
  EXPECT_EQ(applied->path, "/etc/b.toml");
  EXPECT_EQ(applied->text, "two");
}

TEST(ConfigStore, RegisteredServicesAreKeptByNameUntilRemoved) {
  auto db = testing::memory_db();
  ConfigStore store(db);
  ASSERT_TRUE(store.save_registered("web", "command = 'a'"));
  ASSERT_TRUE(store.save_registered("api", "command = 'b'"));
  ASSERT_TRUE(store.save_registered("web", "command = 'c'"));
  auto registered = store.registered().value();
  ASSERT_EQ(registered.size(), 2u);
  EXPECT_EQ(registered.at("web"), "command = 'c'");
  ASSERT_TRUE(store.remove_registered("web"));
  ASSERT_TRUE(store.remove_registered("missing"));
  EXPECT_EQ(store.registered().value().size(), 1u);
}
}  // namespace
}  // namespace baton::state
