#pragma once
// A thin RAII layer over the SQLite C API: one connection, its cached prepared statements, and
// transactions that roll back unless committed. Every SQLite failure becomes a db_error
// (see to_errc). A connection is used by one thread at a time: the owner holds a mutex.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "db/errors.hpp"

namespace onehop::db::sqlite {

// SQLITE_BUSY/LOCKED -> busy, CORRUPT/NOTADB -> corrupt, CONSTRAINT -> conflict, the rest
// (IOERR, FULL, CANTOPEN, READONLY, ...) -> io_error.
errc to_errc(int rc) noexcept;

// A prepared statement in use: bind, step, read columns. Destruction resets it and clears its
// bindings so the cache can hand it out again.
class statement_use {
 public:
  explicit statement_use(sqlite3_stmt* stmt) noexcept : stmt_(stmt) {}
  ~statement_use();
  statement_use(statement_use&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  statement_use& operator=(statement_use&&) = delete;
  statement_use(const statement_use&) = delete;
  statement_use& operator=(const statement_use&) = delete;

  // Parameters are numbered from 1. Text is copied (SQLITE_TRANSIENT) so temporaries are fine.
  statement_use& bind(int index, std::string_view text);
  statement_use& bind(int index, std::int64_t value);

  // One step: true when a row is ready, false when the statement is done, or the error.
  result<bool> step();
  // Steps to the end, for statements that return no rows.
  result<void> run();

  std::string text(int column) const;
  std::int64_t int64(int column) const;
  bool is_null(int column) const;

  // Rows changed by the last INSERT/UPDATE/DELETE of this connection.
  int changes() const;

 private:
  sqlite3_stmt* stmt_;
};

class connection {
 public:
  // Opens (creates unless read_only) `file`. NOMUTEX: the owner serializes use.
  static result<connection> open(const std::filesystem::path& file, bool read_only);

  connection(connection&&) noexcept;
  connection& operator=(connection&&) noexcept;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection();

  // Runs one or more statements that return nothing of interest (PRAGMAs, DDL).
  result<void> exec(std::string_view sql);
  // A single-integer query such as "PRAGMA user_version".
  result<std::int64_t> query_int(std::string_view sql);

  // The statement for `sql`, prepared once per connection and reused. Meant for a fixed set of
  // statements (the cache never shrinks); `sql` holds exactly one statement.
  result<statement_use> prepare(std::string_view sql);

  db_error error(int rc, std::string_view context) const;
  sqlite3* handle() const noexcept { return db_; }

 private:
  explicit connection(sqlite3* db) noexcept;
  void close() noexcept;

  struct stmt_deleter {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
  };
  sqlite3* db_ = nullptr;
  // Keyed by SQL text; transparent, so a lookup by string_view does not allocate.
  struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, stmt_deleter>, text_hash,
                     std::equal_to<>>
      cache_;
};

// BEGIN IMMEDIATE (take the write lock now, so a busy database fails here and not at COMMIT);
// the destructor rolls back unless commit() succeeded.
class transaction {
 public:
  static result<transaction> begin(connection& c);
  transaction(transaction&& other) noexcept;
  transaction& operator=(transaction&&) = delete;
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  ~transaction();

  result<void> commit();

 private:
  explicit transaction(connection& c) noexcept : conn_(&c) {}
  connection* conn_;
};

}  // namespace onehop::db::sqlite
