#include "state/sqlite.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sqlite3.h>

#include <algorithm>
#include <ranges>
#include <vector>

#include "base/log.hpp"

namespace baton::state {
namespace {
std::string sql_error(sqlite3* db, std::string_view sql) {
  return fmt::format("sqlite: {} (sql: {})", sqlite3_errmsg(db), sql);
}

bool is_corruption(int rc) {
  int primary = rc & 0xff;
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

std::string corrupt_advice(const std::string& path, std::string_view detail) {
  return fmt::format("{} is corrupt or not an SQLite database ({}): restore it from a backup or move it away; "
                     "baton never resets it",
                     path, detail);
}

// Files are in memory (or temporary) when SQLite reports no file name for them.
bool is_memory(sqlite3* db) {
  const char* name = sqlite3_db_filename(db, "main");
  return name == nullptr || *name == '\0';
}
}  // namespace

// ---- Database ----

Result<Database> Database::open(const std::string& path, OpenOptions options) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_EXRESCODE;
  if (options.create_if_missing) flags |= SQLITE_OPEN_CREATE;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Database db(raw, path);  // owns the handle even when opening failed
  if (rc != SQLITE_OK) {
    return std::unexpected(
        fmt::format("cannot open {}: {}", path, raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  if (auto configured = db.configure(options); !configured) return std::unexpected(configured.error());
  return db;
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

// close_v2 defers the close until the last statement is finalized, so
// destruction order between a Database and its Statements cannot crash.
Database::~Database() { sqlite3_close_v2(db_); }

// Reads come first: nothing may write to the file (journal mode is a header
// write) until it has proven to be a healthy database.
Status Database::configure(const OpenOptions& options) {
  sqlite3_busy_timeout(db_, static_cast<int>(options.busy_timeout.count()));
  if (auto healthy = check_integrity(); !healthy) return healthy;
  if (options.verify) {
    if (auto verified = options.verify(*this); !verified) return verified;
  }
  auto mode = query_text("PRAGMA journal_mode=WAL");
  if (!mode) return std::unexpected(mode.error());
  if (*mode != "wal" && !is_memory(db_)) {
    return std::unexpected(fmt::format("{}: cannot switch to WAL mode (journal_mode is {})", path_, *mode));
  }
  // FULL: a committed journal step survives power loss, not just a crash.
  return exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON");
}

// quick_check reports up to N problems, several per row, one per line. The
// operator needs one log line that says "corrupt" and a taste of why.
Status Database::check_integrity() {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_, "PRAGMA quick_check(20)", -1, &raw, nullptr);
  Statement check(raw);
  std::vector<std::string> problems;
  if (rc == SQLITE_OK) {
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
      std::string rows = check.column_text(0);
      for (auto line : std::views::split(rows, '\n')) {
        std::string_view text(line.begin(), line.end());
        if (text != "ok" && !text.starts_with("*** ")) problems.emplace_back(text);
      }
    }
  }
  if (rc != SQLITE_DONE) {
    if (is_corruption(rc)) return std::unexpected(corrupt_advice(path_, sqlite3_errmsg(db_)));
    return std::unexpected(fmt::format("cannot read {}: {}", path_, sqlite3_errmsg(db_)));
  }
  if (problems.empty()) return {};
  std::size_t shown = std::min<std::size_t>(problems.size(), 3);
  std::string detail = fmt::format("quick_check: {}", fmt::join(problems.begin(), problems.begin() + shown, "; "));
  if (problems.size() > shown) detail += fmt::format("; and {} more", problems.size() - shown);
  return std::unexpected(corrupt_advice(path_, detail));
}

Status Database::exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return {};
  std::string error = fmt::format("sqlite: {} (sql: {})", message ? message : sqlite3_errstr(rc), sql);
  sqlite3_free(message);
  return std::unexpected(std::move(error));
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  if (rc != SQLITE_OK) return std::unexpected(sql_error(db_, sql));
  return Statement(raw);
}

Result<std::string> Database::query_text(std::string_view sql) {
  auto statement = prepare(sql);
  if (!statement) return std::unexpected(statement.error());
  auto row = statement->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::unexpected(fmt::format("sqlite: no rows (sql: {})", sql));
  return statement->column_text(0);
}

Result<std::int64_t> Database::query_int64(std::string_view sql) {
  auto statement = prepare(sql);
  if (!statement) return std::unexpected(statement.error());
  auto row = statement->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::unexpected(fmt::format("sqlite: no rows (sql: {})", sql));
  return statement->column_int64(0);
}

bool Database::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }

// ---- Statement ----

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Status Statement::check_bind(int rc, int index) {
  if (rc == SQLITE_OK) return {};
  return std::unexpected(fmt::format("sqlite: cannot bind parameter {}: {} (sql: {})", index,
                                     sqlite3_errmsg(sqlite3_db_handle(stmt_)), sql()));
}

Status Statement::bind(int index, std::int64_t value) {
  return check_bind(sqlite3_bind_int64(stmt_, index, value), index);
}

Status Statement::bind(int index, std::string_view value) {
  // TRANSIENT: SQLite copies, so callers may pass temporaries. An empty view
  // may have a null data(), which SQLite would store as NULL, not "".
  const char* data = value.data() != nullptr ? value.data() : "";
  return check_bind(sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8), index);
}

Status Statement::bind(int index, std::nullopt_t) { return check_bind(sqlite3_bind_null(stmt_, index), index); }

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return std::unexpected(sql_error(sqlite3_db_handle(stmt_), sql()));
}

Status Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return {};
  }
}

Status Statement::reset() {
  sqlite3_clear_bindings(stmt_);
  if (sqlite3_reset(stmt_) != SQLITE_OK) return std::unexpected(sql_error(sqlite3_db_handle(stmt_), sql()));
  return {};
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::int64_t Statement::column_int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::column_text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::int64_t> Statement::column_optional_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_int64(column);
}

std::optional<std::string> Statement::column_optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_text(column);
}

// The SQL without bound values: values may be tokens and must not reach logs.
std::string Statement::sql() const {
  const char* text = stmt_ ? sqlite3_sql(stmt_) : nullptr;
  return text ? text : "";
}

// ---- Transaction ----

Result<Transaction> Transaction::begin(Database& db) {
  bool nested = db.in_transaction();
  if (auto begun = db.exec(nested ? "SAVEPOINT baton_tx" : "BEGIN IMMEDIATE"); !begun) {
    return std::unexpected(begun.error());
  }
  return Transaction(db, nested);
}

Transaction::~Transaction() { rollback(); }

Status Transaction::commit() {
  if (db_ == nullptr) return std::unexpected(std::string("sqlite: transaction is already finished"));
  auto committed = db_->exec(savepoint_ ? "RELEASE baton_tx" : "COMMIT");
  if (committed) db_ = nullptr;  // on failure the destructor rolls back
  return committed;
}

void Transaction::rollback() noexcept {
  if (db_ == nullptr) return;
  Database& db = *std::exchange(db_, nullptr);
  // Some errors (disk full, I/O) already rolled the whole transaction back.
  if (!db.in_transaction()) return;
  auto undone = db.exec(savepoint_ ? "ROLLBACK TO baton_tx; RELEASE baton_tx" : "ROLLBACK");
  if (!undone) log::warn("state=rollback_failed error=\"{}\"", undone.error());
}
}  // namespace baton::state
