#pragma once
// A thin RAII layer over the SQLite C API for the control plane's state store.
// Every failure is a value (std::expected) carrying SQLite's message and the SQL
// that failed, so an operator reading one log line knows what broke.
#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

struct sqlite3;
struct sqlite3_stmt;

namespace baton::state {
template <class T>
using Result = std::expected<T, std::string>;
using Status = Result<void>;

inline constexpr std::chrono::milliseconds kDefaultBusyTimeout{5000};

class Database;
class Statement;

struct OpenOptions {
  bool create_if_missing = true;
  // Another process (a second daemon, `baton status`) may hold the write lock briefly.
  std::chrono::milliseconds busy_timeout = kDefaultBusyTimeout;
  // Read-only checks of the contents (e.g. the schema version) that run after
  // the integrity check and before the first write; an error fails the open.
  std::function<Status(Database&)> verify{};
};

// One connection. Opening checks the file before anything writes to it, so a
// corrupt or foreign file is reported and left exactly as it was.
class Database {
 public:
  static Result<Database> open(const std::string& path, OpenOptions options = {});

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs one or more statements that return no rows of interest.
  Status exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  // The first column of the first row, as text (for PRAGMAs and counts).
  Result<std::string> query_text(std::string_view sql);
  Result<std::int64_t> query_int64(std::string_view sql);

  bool in_transaction() const;
  std::int64_t last_insert_rowid() const;
  int changes() const;
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status configure(const OpenOptions& options);
  Status check_integrity();

  sqlite3* db_ = nullptr;
  std::string path_;
};

// A prepared statement. Bind indexes start at 1, column indexes at 0 (as in SQLite).
class Statement {
 public:
  Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Status bind(int index, std::int64_t value);
  Status bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Status bind(int index, std::string_view value);
  Status bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Status bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Status bind(int index, std::nullopt_t);
  template <class T>
  Status bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind(index, std::nullopt);
  }
  // Binds the arguments to ?1, ?2, ... in order.
  template <class... Args>
  Status bind_all(const Args&... args) {
    int index = 0;
    Status status;
    ((status = status ? bind(++index, args) : status), ...);
    return status;
  }

  // true: a row is ready to read; false: the statement is done.
  Result<bool> step();
  // Steps to completion, for statements whose rows (if any) do not matter.
  Status run();
  Status reset();

  bool is_null(int column) const;
  std::int64_t column_int64(int column) const;
  std::string column_text(int column) const;
  std::optional<std::int64_t> column_optional_int64(int column) const;
  std::optional<std::string> column_optional_text(int column) const;

  std::string sql() const;

 private:
  friend class Database;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Status check_bind(int rc, int index);

  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back by the destructor unless committed.
// IMMEDIATE takes the write lock up front, so a read-then-write (the deploy
// lock) cannot be overtaken by another connection between the two.
// Inside an open transaction it becomes a savepoint, so stores compose.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);

  Transaction(Transaction&& other) noexcept
      : db_(std::exchange(other.db_, nullptr)), savepoint_(other.savepoint_) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();

  Status commit();

 private:
  Transaction(Database& db, bool savepoint) : db_(&db), savepoint_(savepoint) {}
  void rollback() noexcept;

  Database* db_;  // null once committed, rolled back or moved from
  bool savepoint_;
};
}  // namespace baton::state
