#pragma once
// Group commit for pending uploads: the hot path hands a record to a bounded in-memory queue and
// returns; one background thread writes the queue in batches, one transaction per batch, so a
// disk flush is paid per batch and never by a request.
//
// Batching: a batch is written when `batch_records` records are queued, or `max_delay` after
// the first record of the batch arrived, or at once when someone waits (flush, wait_written).
// Everything queued when the writer starts a batch goes into it, so a slow disk makes batches
// bigger rather than the queue longer.
//
// Failures: a batch whose transaction fails as a whole (disk full, I/O error, lock timeout) is
// kept at the head of the queue and retried with exponential backoff, so a passing failure
// loses nothing. A record the store refuses on its own (a taken id or key: a bug upstream) is
// dropped from its batch and reported by flush().
//
// Queue full: `capacity` counts records not yet written (queued or in a batch being written).
// When it is reached, enqueue waits up to `enqueue_wait` for room, then gives up with
// errc::busy. It is reached only when the disk has fallen `capacity` records behind (or
// failed); waiting briefly absorbs a hiccup, and giving up then lets the API answer 503 instead
// of stalling its I/O thread or growing memory without bound.
//
// Thread-safe. The destructor writes what is queued (up to `final_attempts` tries of a failing
// batch, then drops it) and joins the thread.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <utility>
#include <vector>

#include "db/errors.hpp"
#include "db/records.hpp"

namespace onehop::db {

struct group_commit_options {
  std::size_t capacity = 100'000;
  std::size_t batch_records = 1'000;
  std::chrono::microseconds max_delay{2'000};
  std::chrono::milliseconds enqueue_wait{50};
  std::chrono::milliseconds retry_backoff_min{5};
  std::chrono::milliseconds retry_backoff_max{1'000};
  int final_attempts = 3;
};

// What one attempt to write a batch did.
struct batch_outcome {
  // Set: nothing was written (the transaction rolled back); the batch will be retried.
  std::optional<db_error> failure;
  // Records refused one by one (index into the batch, why); the rest were written.
  std::vector<std::pair<std::size_t, db_error>> rejected;
};

class group_commit {
 public:
  // Writes one batch in one transaction. Called on the writer thread only.
  using write_fn = std::function<batch_outcome(std::span<const pending_upload>)>;

  struct counters {
    std::uint64_t enqueued = 0;         // accepted by enqueue
    std::uint64_t written = 0;          // resolved: written, rejected, or dropped at shutdown
    std::uint64_t rejected = 0;         // refused one by one
    std::uint64_t batches = 0;          // transactions committed
    std::uint64_t failed_attempts = 0;  // batch transactions that failed (and were retried)
  };

  group_commit(write_fn write, group_commit_options options);
  ~group_commit();
  group_commit(const group_commit&) = delete;
  group_commit& operator=(const group_commit&) = delete;

  // Never waits for the disk; waits up to enqueue_wait only when the queue is full (then busy).
  result<void> enqueue(pending_upload p);

  // Blocks until every record enqueued before the call is written. Errors: the failure of a
  // batch attempt made while waiting (the records stay queued and are retried), or conflict
  // when records enqueued before the call were refused and no earlier flush() reported them.
  result<void> flush();

  // As flush(), without the report of refused records: for reads that must see every record
  // enqueued before them.
  result<void> wait_written();

  counters stats() const;

 private:
  result<void> wait_for(std::uint64_t target, std::unique_lock<std::mutex>& lock);
  void run();

  write_fn write_;
  const group_commit_options options_;

  mutable std::mutex mutex_;
  std::condition_variable writer_cv_;  // the writer: work, a waiter, or stop
  std::condition_variable done_cv_;    // waiters: a batch was written or failed
  std::condition_variable space_cv_;   // enqueue: room in the queue
  std::deque<pending_upload> queue_;
  std::chrono::steady_clock::time_point window_start_;  // arrival of queue_.front()
  bool kick_ = false;                                   // someone waits: write now
  bool stopping_ = false;
  counters counters_;
  std::optional<db_error> last_failure_;
  // Refused records by sequence number (1 = first enqueued), the latest ones only.
  std::deque<std::pair<std::uint64_t, db_error>> rejections_;
  std::uint64_t reported_upto_ = 0;  // rejections up to here were reported by a flush()
  std::thread thread_;
};

}  // namespace onehop::db
