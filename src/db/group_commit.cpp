#include "db/group_commit.hpp"

#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <string>

namespace onehop::db {
namespace {

// Enough to report a burst of refusals; older ones are still counted in counters::rejected.
constexpr std::size_t max_kept_rejections = 1'024;

}  // namespace

group_commit::group_commit(write_fn write, group_commit_options options)
    : write_(std::move(write)), options_(options), thread_([this] { run(); }) {}

group_commit::~group_commit() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  writer_cv_.notify_one();
  thread_.join();
}

result<void> group_commit::enqueue(pending_upload p) {
  std::unique_lock lock(mutex_);
  const auto has_room = [this] {
    return counters_.enqueued - counters_.written < options_.capacity;
  };
  if (!has_room()) {
    kick_ = true;
    writer_cv_.notify_one();
    if (!space_cv_.wait_for(lock, options_.enqueue_wait, has_room)) {
      return make_error(errc::busy, "upload record queue full (" +
                                        std::to_string(options_.capacity) + " not yet written)");
    }
  }
  if (stopping_) {
    throw std::logic_error("group_commit::enqueue during destruction");
  }
  const bool was_empty = queue_.empty();
  if (was_empty) {
    window_start_ = std::chrono::steady_clock::now();
  }
  queue_.push_back(std::move(p));
  ++counters_.enqueued;
  // The writer sleeps without a deadline on an empty queue, and until the deadline otherwise.
  if (was_empty || queue_.size() == options_.batch_records) {
    writer_cv_.notify_one();
  }
  return {};
}

result<void> group_commit::wait_for(std::uint64_t target, std::unique_lock<std::mutex>& lock) {
  if (counters_.written >= target) {
    return {};
  }
  kick_ = true;
  writer_cv_.notify_one();
  const std::uint64_t attempts = counters_.failed_attempts;
  done_cv_.wait(
      lock, [&] { return counters_.written >= target || counters_.failed_attempts != attempts; });
  if (counters_.written < target) {
    return *last_failure_;
  }
  return {};
}

result<void> group_commit::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = counters_.enqueued;
  const std::uint64_t from = reported_upto_;
  if (auto r = wait_for(target, lock); !r) {
    return r;
  }
  reported_upto_ = std::max(reported_upto_, target);
  std::size_t refused = 0;
  const db_error* first = nullptr;
  for (const auto& [seq, error] : rejections_) {
    if (seq > from && seq <= target) {
      ++refused;
      if (first == nullptr) {
        first = &error;
      }
    }
  }
  if (first != nullptr) {
    return make_error(first->code, std::to_string(refused) +
                                       " upload record(s) refused, first: " + first->message);
  }
  return {};
}

result<void> group_commit::wait_written() {
  std::unique_lock lock(mutex_);
  return wait_for(counters_.enqueued, lock);
}

group_commit::counters group_commit::stats() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

void group_commit::run() {
  std::unique_lock lock(mutex_);
  auto backoff = options_.retry_backoff_min;
  int final_failures = 0;
  for (;;) {
    if (queue_.empty()) {
      if (stopping_) {
        return;
      }
      writer_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      continue;
    }
    if (!stopping_ && !kick_ && queue_.size() < options_.batch_records) {
      const auto deadline = window_start_ + options_.max_delay;
      if (std::chrono::steady_clock::now() < deadline) {
        writer_cv_.wait_until(lock, deadline);
        continue;
      }
    }
    kick_ = false;
    std::vector<pending_upload> batch(std::make_move_iterator(queue_.begin()),
                                      std::make_move_iterator(queue_.end()));
    queue_.clear();
    // The batch is the oldest unwritten records, so its first sequence number follows `written`.
    const std::uint64_t first_seq = counters_.written + 1;

    lock.unlock();
    batch_outcome outcome = write_(batch);
    lock.lock();

    if (outcome.failure) {
      ++counters_.failed_attempts;
      last_failure_ = std::move(outcome.failure);
      done_cv_.notify_all();
      if (stopping_ && ++final_failures >= options_.final_attempts) {
        // Shutting down on a failing disk: these pending rows are lost, as in a crash; the
        // sweeper removes their objects. Later records are tried, so count these as resolved.
        counters_.written += batch.size();
        continue;
      }
      // Back to the head of the queue, in order, for the next attempt.
      queue_.insert(queue_.begin(), std::make_move_iterator(batch.begin()),
                    std::make_move_iterator(batch.end()));
      window_start_ = std::chrono::steady_clock::now();
      writer_cv_.wait_for(lock, backoff, [this] { return stopping_; });
      backoff = std::min(backoff * 2, options_.retry_backoff_max);
      continue;
    }
    backoff = options_.retry_backoff_min;
    for (auto& [index, error] : outcome.rejected) {
      rejections_.emplace_back(first_seq + index, std::move(error));
      if (rejections_.size() > max_kept_rejections) {
        rejections_.pop_front();
      }
    }
    counters_.rejected += outcome.rejected.size();
    counters_.written += batch.size();
    ++counters_.batches;
    done_cv_.notify_all();
    space_cv_.notify_all();
  }
}

}  // namespace onehop::db
