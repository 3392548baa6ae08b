// The SQLite implementation of repository.
//
// Connections: one writer (journal_mode=WAL) under a mutex, shared by the group-commit thread
// and the blocking write methods; one reader under its own mutex. WAL lets the reader run
// while the writer commits, and each read statement sees the latest committed state.
//
// Durability: synchronous=FULL on the writer, so every COMMIT syncs the WAL. complete() must
// survive a power loss once the API has answered 200, and with WAL, synchronous=NORMAL only
// syncs at checkpoints: a completed image could be lost. FULL costs one fsync per transaction,
// which the hot path never pays: its records are committed by the group-commit thread, one
// fsync per batch, however many records the batch holds.

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

#include "db/cursor.hpp"
#include "db/group_commit.hpp"
#include "db/migrations.hpp"
#include "db/repository.hpp"
#include "db/sqlite.hpp"

namespace onehop::db {
namespace {

using std::chrono::sys_seconds;

std::int64_t to_sql(std::uint64_t v) {
  return static_cast<std::int64_t>(v);
}
std::int64_t to_sql(sys_seconds t) {
  return t.time_since_epoch().count();
}
sys_seconds time_from_sql(std::int64_t v) {
  return sys_seconds(std::chrono::seconds(v));
}

// Column lists are spelled out in each statement (the statement cache keys on literal text);
// the readers below depend on their order.
pending_upload read_pending(const sqlite::statement_use& st) {
  pending_upload p;
  p.id = st.text(0);
  p.user = st.text(1);
  p.key = st.text(2);
  p.filename = st.text(3);
  p.content_type = st.text(4);
  p.size = static_cast<std::uint64_t>(st.int64(5));
  p.sha256 = st.text(6);
  p.method = st.text(7);
  p.multipart_upload_id = st.text(8);
  p.part_size = static_cast<std::uint64_t>(st.int64(9));
  p.created_at = time_from_sql(st.int64(10));
  p.expires_at = time_from_sql(st.int64(11));
  return p;
}

image read_image(const sqlite::statement_use& st) {
  image i;
  i.id = st.text(0);
  i.user = st.text(1);
  i.key = st.text(2);
  i.filename = st.text(3);
  i.content_type = st.text(4);
  i.size = static_cast<std::uint64_t>(st.int64(5));
  i.width = static_cast<std::uint32_t>(st.int64(6));
  i.height = static_cast<std::uint32_t>(st.int64(7));
  i.sha256 = st.text(8);
  i.etag = st.text(9);
  i.created_at = time_from_sql(st.int64(10));
  return i;
}

constexpr std::string_view insert_pending_sql =
    "INSERT INTO pending_uploads (id, user_id, key, filename, content_type, size, sha256, method, "
    "multipart_upload_id, part_size, created_at, expires_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

constexpr std::string_view find_pending_sql =
    "SELECT id, user_id, key, filename, content_type, size, sha256, method, multipart_upload_id, "
    "part_size, created_at, expires_at FROM pending_uploads WHERE id = ?1 AND user_id = ?2";

constexpr std::string_view expired_pending_sql =
    "SELECT id, user_id, key, filename, content_type, size, sha256, method, multipart_upload_id, "
    "part_size, created_at, expires_at FROM pending_uploads WHERE expires_at <= ?1 "
    "ORDER BY expires_at, id LIMIT ?2";

constexpr std::string_view set_multipart_sql =
    "UPDATE pending_uploads SET multipart_upload_id = ?2 WHERE id = ?1";

constexpr std::string_view delete_pending_sql =
    "DELETE FROM pending_uploads WHERE id = ?1 AND user_id = ?2";

constexpr std::string_view insert_image_sql =
    "INSERT INTO images (id, user_id, key, filename, content_type, size, width, height, sha256, "
    "etag, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

constexpr std::string_view find_image_sql =
    "SELECT id, user_id, key, filename, content_type, size, width, height, sha256, etag, "
    "created_at FROM images WHERE id = ?1 AND user_id = ?2";

constexpr std::string_view delete_image_sql = "DELETE FROM images WHERE id = ?1 AND user_id = ?2";

constexpr std::string_view first_page_sql =
    "SELECT id, user_id, key, filename, content_type, size, width, height, sha256, etag, "
    "created_at FROM images WHERE user_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2";

// The keyset condition spelled with OR rather than a row value, so the planner seeks the
// (user_id, created_at DESC, id DESC) index.
constexpr std::string_view next_page_sql =
    "SELECT id, user_id, key, filename, content_type, size, width, height, sha256, etag, "
    "created_at FROM images WHERE user_id = ?1 AND (created_at < ?3 OR (created_at = ?3 AND "
    "id < ?4)) ORDER BY created_at DESC, id DESC LIMIT ?2";

constexpr std::string_view usage_of_sql =
    "SELECT (SELECT COALESCE(SUM(size), 0) FROM images WHERE user_id = ?1) + "
    "(SELECT COALESCE(SUM(size), 0) FROM pending_uploads WHERE user_id = ?1 AND expires_at > ?2), "
    "(SELECT COUNT(*) FROM images WHERE user_id = ?1) + "
    "(SELECT COUNT(*) FROM pending_uploads WHERE user_id = ?1 AND expires_at > ?2)";

constexpr std::string_view all_usage_sql =
    "SELECT user_id, SUM(size), COUNT(*) FROM (SELECT user_id, size FROM images UNION ALL "
    "SELECT user_id, size FROM pending_uploads WHERE expires_at > ?1) "
    "GROUP BY user_id ORDER BY user_id";

constexpr std::string_view key_known_sql =
    "SELECT EXISTS (SELECT 1 FROM pending_uploads WHERE key = ?1) OR "
    "EXISTS (SELECT 1 FROM images WHERE key = ?1)";

void bind_pending(sqlite::statement_use& st, const pending_upload& p) {
  st.bind(1, p.id)
      .bind(2, p.user)
      .bind(3, p.key)
      .bind(4, p.filename)
      .bind(5, p.content_type)
      .bind(6, to_sql(p.size))
      .bind(7, p.sha256)
      .bind(8, p.method)
      .bind(9, p.multipart_upload_id)
      .bind(10, to_sql(p.part_size))
      .bind(11, to_sql(p.created_at))
      .bind(12, to_sql(p.expires_at));
}

void bind_image(sqlite::statement_use& st, const image& i) {
  st.bind(1, i.id)
      .bind(2, i.user)
      .bind(3, i.key)
      .bind(4, i.filename)
      .bind(5, i.content_type)
      .bind(6, to_sql(i.size))
      .bind(7, static_cast<std::int64_t>(i.width))
      .bind(8, static_cast<std::int64_t>(i.height))
      .bind(9, i.sha256)
      .bind(10, i.etag)
      .bind(11, to_sql(i.created_at));
}

db_error not_found(std::string_view what) {
  return make_error(errc::not_found, std::string(what) + " not found");
}

result<void> configure(sqlite::connection& c, const sqlite_options& options) {
  const auto ms = static_cast<int>(options.busy_timeout.count());
  if (const int rc = sqlite3_busy_timeout(c.handle(), ms); rc != SQLITE_OK) {
    return c.error(rc, "busy_timeout");
  }
  return c.exec("PRAGMA foreign_keys = ON");
}

class sqlite_repository final : public repository {
 public:
  sqlite_repository(sqlite::connection writer, sqlite::connection reader,
                    const sqlite_options& options)
      : writer_(std::move(writer)),
        reader_(std::move(reader)),
        queue_([this](std::span<const pending_upload> batch) { return write_batch(batch); },
               group_commit_options{.capacity = options.queue_capacity,
                                    .batch_records = options.batch_records,
                                    .max_delay = options.batch_delay,
                                    .enqueue_wait = options.enqueue_wait}) {}

  result<void> enqueue_pending(pending_upload p) override { return queue_.enqueue(std::move(p)); }

  result<void> flush() override { return queue_.flush(); }

  result<std::optional<pending_upload>> find_pending(std::string_view user,
                                                     std::string_view id) override {
    if (auto w = queue_.wait_written(); !w) {
      return w.error();
    }
    std::lock_guard lock(reader_mutex_);
    return query_one(
        reader_, find_pending_sql, [&](sqlite::statement_use& st) { st.bind(1, id).bind(2, user); },
        read_pending);
  }

  result<void> set_multipart_id(std::string_view id, std::string_view upload_id) override {
    return write_one(set_multipart_sql, id, upload_id, "pending upload");
  }

  result<void> delete_pending(std::string_view user, std::string_view id) override {
    return write_one(delete_pending_sql, id, user, "pending upload");
  }

  result<image> complete(std::string_view user, std::string_view pending_id,
                         const image& img) override {
    if (auto w = queue_.wait_written(); !w) {
      return w.error();
    }
    image done = img;
    if (done.id.empty()) {
      done.id = std::string(pending_id);
    }
    done.user = std::string(user);

    std::lock_guard lock(writer_mutex_);
    auto tx = sqlite::transaction::begin(writer_);
    if (!tx) {
      return tx.error();
    }
    {
      auto existing = find_image_with(writer_, user, done.id);
      if (!existing) {
        return existing.error();
      }
      if (*existing) {
        return std::move(**existing);  // completed before: the same answer again
      }
    }
    if (!pending_id.empty()) {
      auto st = writer_.prepare(delete_pending_sql);
      if (!st) {
        return st.error();
      }
      st->bind(1, pending_id).bind(2, user);
      if (auto r = st->run(); !r) {
        return r.error();
      }
      if (st->changes() == 0) {
        return not_found("pending upload");
      }
    }
    {
      auto st = writer_.prepare(insert_image_sql);
      if (!st) {
        return st.error();
      }
      bind_image(*st, done);
      if (auto r = st->run(); !r) {
        return r.error();
      }
    }
    if (auto r = tx->commit(); !r) {
      return r.error();
    }
    return done;
  }

  result<std::vector<pending_upload>> expired_pending(sys_seconds now, std::size_t limit) override {
    std::lock_guard lock(reader_mutex_);
    auto st = reader_.prepare(expired_pending_sql);
    if (!st) {
      return st.error();
    }
    st->bind(1, to_sql(now))
        .bind(2, static_cast<std::int64_t>(
                     std::min<std::size_t>(limit, static_cast<std::size_t>(INT64_MAX))));
    std::vector<pending_upload> out;
    for (;;) {
      auto row = st->step();
      if (!row) {
        return row.error();
      }
      if (!*row) {
        return out;
      }
      out.push_back(read_pending(*st));
    }
  }

  result<image_page> list_images(std::string_view user, std::size_t limit,
                                 std::string_view cursor) override {
    limit = std::clamp<std::size_t>(limit, 1, max_page_size);
    std::optional<cursor_position> after;
    if (!cursor.empty()) {
      auto decoded = decode_cursor(cursor);
      if (!decoded) {
        return decoded.error();
      }
      after = std::move(*decoded);
    }
    std::lock_guard lock(reader_mutex_);
    auto st = reader_.prepare(after ? next_page_sql : first_page_sql);
    if (!st) {
      return st.error();
    }
    // One row more than asked tells whether there is a next page.
    st->bind(1, user).bind(2, static_cast<std::int64_t>(limit + 1));
    if (after) {
      st->bind(3, to_sql(after->created_at)).bind(4, after->id);
    }
    image_page page;
    for (;;) {
      auto row = st->step();
      if (!row) {
        return row.error();
      }
      if (!*row) {
        break;
      }
      if (page.images.size() == limit) {
        const image& last = page.images.back();
        page.next_cursor = encode_cursor({last.created_at, last.id});
        break;
      }
      page.images.push_back(read_image(*st));
    }
    return page;
  }

  result<std::optional<image>> find_image(std::string_view user, std::string_view id) override {
    std::lock_guard lock(reader_mutex_);
    return find_image_with(reader_, user, id);
  }

  result<std::optional<image>> delete_image(std::string_view user, std::string_view id) override {
    std::lock_guard lock(writer_mutex_);
    auto tx = sqlite::transaction::begin(writer_);
    if (!tx) {
      return tx.error();
    }
    auto found = find_image_with(writer_, user, id);
    if (!found || !*found) {
      return found;
    }
    {
      auto st = writer_.prepare(delete_image_sql);
      if (!st) {
        return st.error();
      }
      st->bind(1, id).bind(2, user);
      if (auto r = st->run(); !r) {
        return r.error();
      }
    }
    if (auto r = tx->commit(); !r) {
      return r.error();
    }
    return found;
  }

  result<usage> usage_of(std::string_view user, sys_seconds now) override {
    if (auto w = queue_.wait_written(); !w) {
      return w.error();
    }
    std::lock_guard lock(reader_mutex_);
    auto found = query_one(
        reader_, usage_of_sql,
        [&](sqlite::statement_use& st) { st.bind(1, user).bind(2, to_sql(now)); },
        [](sqlite::statement_use& st) {
          return usage{static_cast<std::uint64_t>(st.int64(0)),
                       static_cast<std::uint64_t>(st.int64(1))};
        });
    if (!found) {
      return found.error();
    }
    if (!*found) {
      return make_error(errc::corrupt, "usage query returned no row");
    }
    return **found;
  }

  result<std::vector<std::pair<std::string, usage>>> all_usage(sys_seconds now) override {
    if (auto w = queue_.wait_written(); !w) {
      return w.error();
    }
    std::lock_guard lock(reader_mutex_);
    auto st = reader_.prepare(all_usage_sql);
    if (!st) {
      return st.error();
    }
    st->bind(1, to_sql(now));
    std::vector<std::pair<std::string, usage>> out;
    for (;;) {
      auto row = st->step();
      if (!row) {
        return row.error();
      }
      if (!*row) {
        return out;
      }
      out.emplace_back(st->text(0), usage{static_cast<std::uint64_t>(st->int64(1)),
                                          static_cast<std::uint64_t>(st->int64(2))});
    }
  }

  result<bool> key_known(std::string_view key) override {
    // An object whose pending record is still queued is not an orphan: wait for the queue.
    if (auto w = queue_.wait_written(); !w) {
      return w.error();
    }
    std::lock_guard lock(reader_mutex_);
    auto found = query_one(
        reader_, key_known_sql, [&](sqlite::statement_use& st) { st.bind(1, key); },
        [](sqlite::statement_use& st) { return st.int64(0) != 0; });
    if (!found) {
      return found.error();
    }
    if (!*found) {
      return make_error(errc::corrupt, "key query returned no row");
    }
    return **found;
  }

  result<void> ping() override {
    std::lock_guard lock(reader_mutex_);
    // Reads the schema, so a missing, unreadable or damaged file fails here.
    auto version = reader_.query_int("SELECT COUNT(*) FROM sqlite_schema");
    if (!version) {
      return version.error();
    }
    return {};
  }

 private:
  // The writer thread's transaction: one per batch.
  batch_outcome write_batch(std::span<const pending_upload> batch) {
    batch_outcome out;
    std::lock_guard lock(writer_mutex_);
    auto tx = sqlite::transaction::begin(writer_);
    if (!tx) {
      out.failure = tx.error();
      return out;
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      auto st = writer_.prepare(insert_pending_sql);
      if (!st) {
        out.failure = st.error();
        return out;
      }
      bind_pending(*st, batch[i]);
      if (auto r = st->run(); !r) {
        // A constraint failure undoes only its own statement; the transaction goes on.
        if (r.error().code != errc::conflict) {
          out.failure = r.error();
          return out;
        }
        out.rejected.emplace_back(i, r.error());
      }
    }
    if (auto r = tx->commit(); !r) {
      out.failure = r.error();
      out.rejected.clear();
    }
    return out;
  }

  // UPDATE/DELETE of one row by (?1, ?2) in its own transaction (autocommit); not_found when no
  // row matched.
  result<void> write_one(std::string_view sql, std::string_view p1, std::string_view p2,
                         std::string_view what) {
    if (auto w = queue_.wait_written(); !w) {
      return w.error();
    }
    std::lock_guard lock(writer_mutex_);
    auto st = writer_.prepare(sql);
    if (!st) {
      return st.error();
    }
    st->bind(1, p1).bind(2, p2);
    if (auto r = st->run(); !r) {
      return r.error();
    }
    if (st->changes() == 0) {
      return not_found(what);
    }
    return {};
  }

  // Runs `sql` on `c` after bind(statement), and returns read(statement) of its first row, or
  // nullopt when it has none.
  template <class Bind, class Read>
  static auto query_one(sqlite::connection& c, std::string_view sql, Bind bind, Read read)
      -> result<std::optional<std::invoke_result_t<Read&, sqlite::statement_use&>>> {
    using value = std::invoke_result_t<Read&, sqlite::statement_use&>;
    auto st = c.prepare(sql);
    if (!st) {
      return st.error();
    }
    bind(*st);
    auto row = st->step();
    if (!row) {
      return row.error();
    }
    if (!*row) {
      return std::optional<value>();
    }
    return std::optional<value>(read(*st));
  }

  static result<std::optional<image>> find_image_with(sqlite::connection& c, std::string_view user,
                                                      std::string_view id) {
    return query_one(
        c, find_image_sql, [&](sqlite::statement_use& st) { st.bind(1, id).bind(2, user); },
        read_image);
  }

  std::mutex writer_mutex_;
  sqlite::connection writer_;
  std::mutex reader_mutex_;
  sqlite::connection reader_;
  group_commit queue_;  // last: destroyed first, while the connections it writes with still exist
};

}  // namespace

result<std::unique_ptr<repository>> open_sqlite(const std::filesystem::path& file,
                                                const sqlite_options& options) {
  auto writer = sqlite::connection::open(file, false);
  if (!writer) {
    return writer.error();
  }
  if (auto r = configure(*writer, options); !r) {
    return r.error();
  }
  {
    // journal_mode answers the mode in effect: a file system without shared memory may refuse
    // WAL, and the reader/writer split depends on it.
    auto st = writer->prepare("PRAGMA journal_mode = WAL");
    if (!st) {
      return st.error();
    }
    auto row = st->step();
    if (!row) {
      return row.error();
    }
    if (!*row || st->text(0) != "wal") {
      return make_error(errc::io_error, "cannot use WAL journal for " + file.string());
    }
  }
  if (auto r = writer->exec("PRAGMA synchronous = FULL"); !r) {
    return r.error();
  }
  if (auto r = apply_migrations(*writer, schema_migrations()); !r) {
    return r.error();
  }
  auto reader = sqlite::connection::open(file, true);
  if (!reader) {
    return reader.error();
  }
  if (auto r = configure(*reader, options); !r) {
    return r.error();
  }
  return std::unique_ptr<repository>(
      std::make_unique<sqlite_repository>(std::move(*writer), std::move(*reader), options));
}

}  // namespace onehop::db
