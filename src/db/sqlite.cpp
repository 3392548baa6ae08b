#include "db/sqlite.hpp"

#include <utility>

namespace onehop::db::sqlite {

errc to_errc(int rc) noexcept {
  switch (rc & 0xff) {  // the primary code; extended codes keep it in the low byte
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return errc::busy;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return errc::corrupt;
    case SQLITE_CONSTRAINT:
      return errc::conflict;
    default:
      return errc::io_error;
  }
}

statement_use::~statement_use() {
  if (stmt_ == nullptr) {
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

statement_use& statement_use::bind(int index, std::string_view text) {
  // Binding only fails for an index out of range or a too-long value; the first is a bug and the
  // second cannot happen below SQLite's 1 GB limit, and step() would report either anyway.
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

statement_use& statement_use::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

result<bool> statement_use::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  sqlite3* db = sqlite3_db_handle(stmt_);
  return make_error(to_errc(rc), std::string(sqlite3_errmsg(db)) + " (" + sqlite3_sql(stmt_) + ")");
}

result<void> statement_use::run() {
  for (;;) {
    auto r = step();
    if (!r) {
      return r.error();
    }
    if (!*r) {
      return {};
    }
  }
}

std::string statement_use::text(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  const int n = sqlite3_column_bytes(stmt_, column);
  return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}

std::int64_t statement_use::int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

bool statement_use::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int statement_use::changes() const {
  return sqlite3_changes(sqlite3_db_handle(stmt_));
}

connection::connection(sqlite3* db) noexcept : db_(db) {}

connection::connection(connection&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), cache_(std::move(other.cache_)) {}

connection& connection::operator=(connection&& other) noexcept {
  if (this != &other) {
    close();
    db_ = std::exchange(other.db_, nullptr);
    cache_ = std::move(other.cache_);
  }
  return *this;
}

connection::~connection() {
  close();
}

void connection::close() noexcept {
  cache_.clear();  // statements first: sqlite3_close fails while any is alive
  if (db_ != nullptr) {
    sqlite3_close(db_);
    db_ = nullptr;
  }
}

result<connection> connection::open(const std::filesystem::path& file, bool read_only) {
  sqlite3* db = nullptr;
  const int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message =
        "cannot open " + file.string() + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);  // a handle is returned even on failure; closing nullptr is a no-op
    return make_error(to_errc(rc), std::move(message));
  }
  // Constraint failures and the like give extended codes, which to_errc reduces.
  sqlite3_extended_result_codes(db, 1);
  return connection(db);
}

db_error connection::error(int rc, std::string_view context) const {
  std::string message(context);
  message += ": ";
  message += db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  return make_error(to_errc(rc), std::move(message));
}

result<void> connection::exec(std::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return error(rc, text);
  }
  return {};
}

result<std::int64_t> connection::query_int(std::string_view sql) {
  auto st = prepare(sql);
  if (!st) {
    return st.error();
  }
  auto row = st->step();
  if (!row) {
    return row.error();
  }
  if (!*row) {
    return make_error(errc::corrupt, std::string(sql) + ": no row");
  }
  return st->int64(0);
}

result<statement_use> connection::prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) {
      return error(rc, sql);
    }
    it = cache_.emplace(std::string(sql), std::unique_ptr<sqlite3_stmt, stmt_deleter>(raw)).first;
  }
  return result<statement_use>(boost::system::in_place_value, it->second.get());
}

result<transaction> transaction::begin(connection& c) {
  if (auto r = c.exec("BEGIN IMMEDIATE"); !r) {
    return r.error();
  }
  return transaction(c);
}

transaction::transaction(transaction&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)) {}

transaction::~transaction() {
  if (conn_ != nullptr) {
    // Nothing to report from a destructor: a failed ROLLBACK means SQLite already rolled back.
    (void)conn_->exec("ROLLBACK");
  }
}

result<void> transaction::commit() {
  auto r = conn_->exec("COMMIT");
  if (r) {
    conn_ = nullptr;
  }
  return r;
}

}  // namespace onehop::db::sqlite
