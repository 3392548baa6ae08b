#include "db/migrations.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace onehop::db {
namespace {

// Times are Unix seconds; sizes bytes. `key` is unique in each table; an id moves from
// pending_uploads to images in one transaction (complete), so it is never in both.
constexpr std::string_view migration_1_sql = R"sql(
CREATE TABLE pending_uploads (
  id                  TEXT    NOT NULL PRIMARY KEY,
  user_id             TEXT    NOT NULL,
  key                 TEXT    NOT NULL UNIQUE,
  filename            TEXT    NOT NULL,
  content_type        TEXT    NOT NULL,
  size                INTEGER NOT NULL,
  sha256              TEXT    NOT NULL,
  method              TEXT    NOT NULL CHECK (method IN ('PUT', 'POST', 'MULTIPART')),
  multipart_upload_id TEXT    NOT NULL,
  part_size           INTEGER NOT NULL,
  created_at          INTEGER NOT NULL,
  expires_at          INTEGER NOT NULL
) WITHOUT ROWID;
-- The sweeper's scan, and a user's unexpired uploads (usage).
CREATE INDEX pending_uploads_by_expiry ON pending_uploads (expires_at);
CREATE INDEX pending_uploads_by_user ON pending_uploads (user_id, expires_at);

CREATE TABLE images (
  id           TEXT    NOT NULL PRIMARY KEY,
  user_id      TEXT    NOT NULL,
  key          TEXT    NOT NULL UNIQUE,
  filename     TEXT    NOT NULL,
  content_type TEXT    NOT NULL,
  size         INTEGER NOT NULL,
  width        INTEGER NOT NULL,
  height       INTEGER NOT NULL,
  sha256       TEXT    NOT NULL,
  etag         TEXT    NOT NULL,
  created_at   INTEGER NOT NULL
);
-- The gallery, newest first, paged by (created_at, id).
CREATE INDEX images_by_user_time ON images (user_id, created_at DESC, id DESC);
)sql";

constexpr std::array<migration, 1> all_migrations{{
    {1, "create pending_uploads and images", migration_1_sql},
}};

}  // namespace

std::span<const migration> schema_migrations() noexcept {
  return all_migrations;
}

result<int> apply_migrations(sqlite::connection& c, std::span<const migration> migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      throw std::logic_error("migrations must be numbered 1, 2, 3, ... without gaps");
    }
  }
  auto current = c.query_int("PRAGMA user_version");
  if (!current) {
    return current.error();
  }
  if (*current > static_cast<std::int64_t>(migrations.size())) {
    return make_error(errc::corrupt, "database schema version " + std::to_string(*current) +
                                         " is newer than this program's " +
                                         std::to_string(migrations.size()));
  }
  int applied = 0;
  for (const migration& m : migrations.subspan(static_cast<std::size_t>(*current))) {
    auto tx = sqlite::transaction::begin(c);
    if (!tx) {
      return tx.error();
    }
    // Another process may have migrated between our read and our write lock: re-read under it.
    auto version = c.query_int("PRAGMA user_version");
    if (!version) {
      return version.error();
    }
    if (*version >= m.version) {
      continue;
    }
    if (auto r = c.exec(m.sql); !r) {
      return make_error(r.error().code, "migration " + std::to_string(m.version) + " (" +
                                            std::string(m.name) + "): " + r.error().message);
    }
    // PRAGMA takes no bound parameters; the version is our own integer.
    if (auto r = c.exec("PRAGMA user_version = " + std::to_string(m.version)); !r) {
      return r.error();
    }
    if (auto r = tx->commit(); !r) {
      return r.error();
    }
    ++applied;
  }
  return applied;
}

}  // namespace onehop::db
