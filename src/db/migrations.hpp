#pragma once
// Numbered schema migrations. The schema version is SQLite's PRAGMA user_version (0 for a new
// file). Opening a database applies, in order, every migration above that version, each in its
// own transaction together with the new user_version: a crash between two migrations leaves a
// database at the earlier version, never between versions. Migrations are append-only: a
// released one is never edited, a change is a new number.

#include <span>
#include <string_view>

#include "db/errors.hpp"
#include "db/sqlite.hpp"

namespace onehop::db {

struct migration {
  int version;            // 1, 2, 3, ... with no gaps
  std::string_view name;  // for error messages
  std::string_view sql;   // one or more statements
};

// The schema of the record store, oldest first.
std::span<const migration> schema_migrations() noexcept;

// Applies the migrations above the file's user_version; returns how many ran. A file at a
// version above the last of `migrations` (written by a newer onehop) is errc::corrupt: its
// schema is unknown, and writing to it could break it.
result<int> apply_migrations(sqlite::connection& c, std::span<const migration> migrations);

}  // namespace onehop::db
