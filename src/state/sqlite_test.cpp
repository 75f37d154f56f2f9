#include "state/sqlite.hpp"

#include <gtest/gtest.h>

#include "state/test_db.hpp"

namespace baton::state {
namespace {
using testing::read_bytes;
using testing::TempDir;
using testing::write_bytes;

Database open_memory() {
  auto db = Database::open(":memory:");
  EXPECT_TRUE(db.has_value()) << db.error();
  return std::move(*db);
}

TEST(Sqlite, BindsAndReadsEveryType) {
  Database db = open_memory();
  ASSERT_TRUE(db.exec("CREATE TABLE t (i INTEGER, s TEXT, n TEXT, o INTEGER)").has_value());
  auto insert = db.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)");
  ASSERT_TRUE(insert.has_value()) << insert.error();
  std::optional<std::int64_t> none;
  ASSERT_TRUE(insert->bind_all(std::int64_t{1} << 40, std::string("text\0with nul", 13), std::nullopt, none));
  ASSERT_TRUE(insert->run().has_value());
  ASSERT_TRUE(insert->reset().has_value());
  ASSERT_TRUE(insert->bind_all(-7, "x", std::optional<std::string>("y"), std::optional<std::int64_t>(3)));
  ASSERT_TRUE(insert->run().has_value());

  auto select = db.prepare("SELECT i, s, n, o FROM t ORDER BY i DESC");
  ASSERT_TRUE(select.has_value());
  ASSERT_TRUE(select->step().value());
  EXPECT_EQ(select->column_int64(0), std::int64_t{1} << 40);
  EXPECT_EQ(select->column_text(1), std::string("text\0with nul", 13));
  EXPECT_TRUE(select->is_null(2));
  EXPECT_EQ(select->column_optional_text(2), std::nullopt);
  EXPECT_EQ(select->column_optional_int64(3), std::nullopt);
  ASSERT_TRUE(select->step().value());
  EXPECT_EQ(select->column_int64(0), -7);
  EXPECT_EQ(select->column_optional_text(2), "y");
  EXPECT_EQ(select->column_optional_int64(3), 3);
  EXPECT_FALSE(select->step().value());
}

TEST(Sqlite, AnEmptyViewIsAnEmptyStringNotNull) {
  Database db = open_memory();
  auto select = db.prepare("SELECT ?1 IS NULL, length(?1)");
  ASSERT_TRUE(select->bind(1, std::string_view{}).has_value());
  ASSERT_TRUE(select->step().value());
  EXPECT_EQ(select->column_int64(0), 0);
  EXPECT_EQ(select->column_int64(1), 0);
}

TEST(Sqlite, ErrorsCarrySqliteMessageAndSql) {
  Database db = open_memory();
  auto bad = db.prepare("SELEC 1");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().find("syntax error"), std::string::npos) << bad.error();
  EXPECT_NE(bad.error().find("SELEC 1"), std::string::npos) << bad.error();

  ASSERT_TRUE(db.exec("CREATE TABLE u (k TEXT PRIMARY KEY)").has_value());
  ASSERT_TRUE(db.exec("INSERT INTO u VALUES ('a')").has_value());
  auto insert = db.prepare("INSERT INTO u VALUES (?1)");
  ASSERT_TRUE(insert->bind(1, "a").has_value());
  auto step = insert->step();
  ASSERT_FALSE(step.has_value());
  EXPECT_NE(step.error().find("UNIQUE constraint failed"), std::string::npos) << step.error();
  EXPECT_NE(step.error().find("INSERT INTO u VALUES (?1)"), std::string::npos) << step.error();

  auto out_of_range = insert->bind(5, std::int64_t{1});
  ASSERT_FALSE(out_of_range.has_value());
  EXPECT_NE(out_of_range.error().find("parameter 5"), std::string::npos) << out_of_range.error();
}

TEST(Sqlite, TransactionRollsBackUnlessCommitted) {
  Database db = open_memory();
  ASSERT_TRUE(db.exec("CREATE TABLE t (v INTEGER)").has_value());
  {
    auto tx = Transaction::begin(db);
    ASSERT_TRUE(tx.has_value()) << tx.error();
    ASSERT_TRUE(db.exec("INSERT INTO t VALUES (1)").has_value());
  }
  EXPECT_EQ(db.query_int64("SELECT count(*) FROM t").value(), 0);
  EXPECT_FALSE(db.in_transaction());
  {
    auto tx = Transaction::begin(db);
    ASSERT_TRUE(db.exec("INSERT INTO t VALUES (2)").has_value());
    ASSERT_TRUE(tx->commit().has_value());
    EXPECT_FALSE(tx->commit().has_value());
  }
  EXPECT_EQ(db.query_int64("SELECT sum(v) FROM t").value(), 2);
}

TEST(Sqlite, NestedTransactionIsASavepoint) {
  Database db = open_memory();
  ASSERT_TRUE(db.exec("CREATE TABLE t (v INTEGER)").has_value());
  auto outer = Transaction::begin(db);
  ASSERT_TRUE(db.exec("INSERT INTO t VALUES (1)").has_value());
  {
    auto inner = Transaction::begin(db);
    ASSERT_TRUE(inner.has_value()) << inner.error();
    ASSERT_TRUE(db.exec("INSERT INTO t VALUES (10)").has_value());
  }  // only the inner insert is undone
  {
    auto inner = Transaction::begin(db);
    ASSERT_TRUE(db.exec("INSERT INTO t VALUES (100)").has_value());
    ASSERT_TRUE(inner->commit().has_value());
  }
  EXPECT_TRUE(db.in_transaction());
  ASSERT_TRUE(outer->commit().has_value());
  EXPECT_EQ(db.query_int64("SELECT sum(v) FROM t").value(), 101);
}

TEST(Sqlite, FileDatabaseUsesWalSynchronousFullAndForeignKeys) {
  TempDir dir;
  auto db = Database::open((dir.path() / "x.db").string());
  ASSERT_TRUE(db.has_value()) << db.error();
  EXPECT_EQ(db->query_text("PRAGMA journal_mode").value(), "wal");
  EXPECT_EQ(db->query_int64("PRAGMA synchronous").value(), 2);  // FULL
  EXPECT_EQ(db->query_int64("PRAGMA foreign_keys").value(), 1);
  EXPECT_EQ(db->query_int64("PRAGMA busy_timeout").value(), kDefaultBusyTimeout.count());
}

TEST(Sqlite, MissingFileIsAnErrorWithoutCreate) {
  TempDir dir;
  auto path = dir.path() / "absent.db";
  auto db = Database::open(path.string(), {.create_if_missing = false});
  ASSERT_FALSE(db.has_value());
  EXPECT_NE(db.error().find(path.string()), std::string::npos) << db.error();
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(Sqlite, GarbageFileIsReportedAndLeftUntouched) {
  TempDir dir;
  auto path = dir.path() / "state.db";
  std::string garbage(8192, '\0');
  for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 131 + 7) % 251);
  write_bytes(path, garbage);

  auto db = Database::open(path.string());
  ASSERT_FALSE(db.has_value());
  EXPECT_NE(db.error().find(path.string() + " is corrupt or not an SQLite database"), std::string::npos)
      << db.error();
  EXPECT_NE(db.error().find("never resets"), std::string::npos) << db.error();
  EXPECT_EQ(read_bytes(path), garbage);
  EXPECT_FALSE(std::filesystem::exists(path.string() + "-wal"));
  EXPECT_FALSE(std::filesystem::exists(path.string() + "-journal"));
}

// A valid header over a damaged b-tree page: only the integrity check notices.
TEST(Sqlite, CorruptPageFailsQuickCheck) {
  TempDir dir;
  auto path = dir.path() / "state.db";
  {
    auto db = Database::open(path.string());
    ASSERT_TRUE(db.has_value()) << db.error();
    ASSERT_TRUE(db->exec("PRAGMA journal_mode=DELETE; CREATE TABLE t (v TEXT); CREATE INDEX t_v ON t(v);"
                         "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
                         "INSERT INTO t SELECT printf('value-%d', i) FROM n;")
                    .has_value());
  }
  std::string bytes = read_bytes(path);
  ASSERT_GT(bytes.size(), 4096u * 8);
  for (std::size_t i = 4096 * 5 + 100; i < 4096 * 6; ++i) bytes[i] = static_cast<char>(0xA5);
  write_bytes(path, bytes);

  auto db = Database::open(path.string());
  ASSERT_FALSE(db.has_value());
  EXPECT_NE(db.error().find("is corrupt or not an SQLite database (quick_check: "), std::string::npos)
      << db.error();
  EXPECT_EQ(db.error().find('\n'), std::string::npos) << "one log line";
  EXPECT_EQ(read_bytes(path), bytes);
}
}  // namespace
}  // namespace baton::state
