#pragma once
// The upload API's records behind one interface: pending uploads (signed, not yet completed)
// and images (completed, verified). SQLite is the embedded implementation (open_sqlite); a
// PostgreSQL one can implement the same interface.
//
// Contract for every implementation:
// - All methods are thread-safe.
// - Every state change is one transaction: a crash leaves each record either fully written or
//   absent, and an id is never both pending and an image.
// - A user sees only their own records: another user's id is not_found, never "forbidden".
// - enqueue_pending is the hot path and never waits for the disk. Its records are written in
//   batches (group commit, see group_commit.hpp) a few milliseconds later. The methods that read
//   or change pending uploads first wait until every record enqueued before them is written, so
//   an upload completed a moment after it was signed is found.
// - complete() is durable when it returns: the image survives a power loss after the API
//   answers 200. A pending upload enqueued just before a crash may be lost; its object (if the
//   client uploaded one) is an orphan the sweeper removes (key_known is false).

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/errors.hpp"
#include "db/records.hpp"

namespace onehop::db {

// Page sizes of list_images are clamped to 1..max_page_size.
inline constexpr std::size_t max_page_size = 1'000;

class repository {
 public:
  virtual ~repository() = default;

  // Hot path: queues the record and returns; never waits for the disk. The record is written
  // by a background writer within ~2 ms (or as soon as 1,000 records are queued), many per
  // transaction. Waits (briefly) only when 100,000 records are unwritten, then fails with
  // errc::busy: the disk has fallen far behind, and the caller should answer 503.
  virtual result<void> enqueue_pending(pending_upload p) = 0;

  // Blocks until everything enqueued before the call is written. Errors: the disk failure that
  // keeps it from being written (the records stay queued and are retried), or conflict when some
  // of those records were refused (an id or key already taken) and no earlier flush reported it.
  virtual result<void> flush() = 0;

  // The rest block: the API calls them on its blocking pool.

  virtual result<std::optional<pending_upload>> find_pending(std::string_view user,
                                                             std::string_view id) = 0;
  // Records storage's UploadId of a multipart upload. not_found when no such pending upload.
  virtual result<void> set_multipart_id(std::string_view id, std::string_view upload_id) = 0;
  // not_found when the user has no such pending upload.
  virtual result<void> delete_pending(std::string_view user, std::string_view id) = 0;

  // One transaction: the pending row goes, the image row comes (id = img.id, or pending_id when
  // img.id is empty; user = user; the other fields from `img`). Completing an id that already
  // became this user's image returns that image, unchanged (idempotent: a retried request gets
  // the same answer); neither pending nor image -> not_found. An empty pending_id records the
  // image alone (uploads whose pending state travelled in a signed token). Durable when it
  // returns.
  virtual result<image> complete(std::string_view user, std::string_view pending_id,
                                 const image& img) = 0;

  // Pending uploads with expires_at <= now, soonest expired first, at most `limit`. The sweeper
  // deletes their objects, then calls delete_pending.
  virtual result<std::vector<pending_upload>> expired_pending(std::chrono::sys_seconds now,
                                                              std::size_t limit) = 0;

  // The user's images, newest first (ties by id, descending), `limit` (clamped to
  // 1..max_page_size) per page. `cursor` is empty for the first page, else a next_cursor from an
  // earlier page (opaque; anything else is invalid_cursor). Keyset paging: images added or
  // deleted between pages never make a page repeat or skip an older image.
  virtual result<image_page> list_images(std::string_view user, std::size_t limit,
                                         std::string_view cursor) = 0;

  virtual result<std::optional<image>> find_image(std::string_view user, std::string_view id) = 0;
  // Returns the deleted image (its key, for the object delete), or nullopt when there was none.
  virtual result<std::optional<image>> delete_image(std::string_view user, std::string_view id) = 0;

  // Bytes and count of the user's images plus pending uploads with expires_at > now.
  virtual result<usage> usage_of(std::string_view user, std::chrono::sys_seconds now) = 0;
  // usage_of for every user with any record, by user: warms the in-memory quota tracker.
  virtual result<std::vector<std::pair<std::string, usage>>> all_usage(
      std::chrono::sys_seconds now) = 0;

  // Whether a pending upload or an image uses `key` (the sweeper's orphan check).
  virtual result<bool> key_known(std::string_view key) = 0;

  // A cheap query on each connection (/readyz).
  virtual result<void> ping() = 0;
};

struct sqlite_options {
  // How long a statement waits for a lock held by another process before errc::busy.
  std::chrono::milliseconds busy_timeout{5'000};
  // Group commit of enqueue_pending (see group_commit.hpp); defaults as documented above.
  std::size_t queue_capacity = 100'000;
  std::size_t batch_records = 1'000;
  std::chrono::microseconds batch_delay{2'000};
  std::chrono::milliseconds enqueue_wait{50};
};

// Opens (creates) the database file: WAL journal, foreign keys on, busy timeout, synchronous=
// FULL, and the schema migrations of migrations.hpp applied in order, each in its own
// transaction. The parent folder must exist. The destructor of the repository writes what is
// queued and joins the writer thread.
result<std::unique_ptr<repository>> open_sqlite(const std::filesystem::path& file,
                                                const sqlite_options& options = {});

}  // namespace onehop::db
