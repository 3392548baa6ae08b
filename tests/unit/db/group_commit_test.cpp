// Group commit with a fake batch writer: batching, flush, retry after failure, refused records,
// a full queue, and shutdown. No SQLite here; the repository tests cover the real writer.

#include "db/group_commit.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "db_test_support.hpp"

namespace onehop::db {
namespace {

using testing::make_pending;

// Records every batch it is given. Can fail the next N attempts, refuse ids, or hold the writer
// thread at a gate until released.
class fake_writer {
 public:
  batch_outcome operator()(std::span<const pending_upload> batch) {
    std::unique_lock lock(mutex_);
    ++attempts_;
    entered_cv_.notify_all();
    gate_cv_.wait(lock, [this] { return open_; });
    batch_outcome out;
    if (fail_next_ > 0) {
      --fail_next_;
      out.failure = make_error(errc::io_error, "disk full");
      return out;
    }
    batch_sizes_.push_back(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (refuse_.contains(batch[i].id)) {
        out.rejected.emplace_back(i, make_error(errc::conflict, "taken: " + batch[i].id));
      } else {
        written_.push_back(batch[i].id);
      }
    }
    return out;
  }

  void close_gate() {
    std::lock_guard lock(mutex_);
    open_ = false;
  }
  void open_gate() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    gate_cv_.notify_all();
  }
  // Waits until the writer thread has entered `n` attempts in all.
  void wait_attempts(int n) {
    std::unique_lock lock(mutex_);
    entered_cv_.wait(lock, [&] { return attempts_ >= n; });
  }
  void fail_next(int n) {
    std::lock_guard lock(mutex_);
    fail_next_ = n;
  }
  void refuse(std::string id) {
    std::lock_guard lock(mutex_);
    refuse_.insert(std::move(id));
  }
  std::vector<std::string> written() {
    std::lock_guard lock(mutex_);
    return written_;
  }
  std::vector<std::size_t> batch_sizes() {
    std::lock_guard lock(mutex_);
    return batch_sizes_;
  }
  int attempts() {
    std::lock_guard lock(mutex_);
    return attempts_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable gate_cv_, entered_cv_;
  bool open_ = true;
  int attempts_ = 0;
  int fail_next_ = 0;
  std::set<std::string> refuse_;
  std::vector<std::string> written_;
  std::vector<std::size_t> batch_sizes_;
};

// A delay long enough that only a flush, a full batch or shutdown triggers a write in a test.
constexpr auto never = std::chrono::hours(1);

group_commit_options options(std::size_t batch_records = 1'000,
                             std::chrono::microseconds delay = never) {
  group_commit_options o;
  o.batch_records = batch_records;
  o.max_delay = delay;
  o.enqueue_wait = std::chrono::milliseconds(1);
  o.retry_backoff_min = std::chrono::milliseconds(1);
  o.retry_backoff_max = std::chrono::milliseconds(2);
  return o;
}

auto writer_fn(fake_writer& w) {
  return [&w](std::span<const pending_upload> b) { return w(b); };
}

std::string id(int i) {
  return testing::numbered("id", i);
}

TEST(group_commit, flush_writes_everything_in_order_in_one_batch) {
  fake_writer w;
  group_commit q(writer_fn(w), options());
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(q.enqueue(make_pending("u", id(i))));
  }
  ASSERT_TRUE(q.flush());
  std::vector<std::string> expected;
  for (int i = 0; i < 10; ++i) {
    expected.push_back(id(i));
  }
  EXPECT_EQ(w.written(), expected);
  EXPECT_EQ(w.batch_sizes(), std::vector<std::size_t>{10});
  const auto s = q.stats();
  EXPECT_EQ(s.enqueued, 10u);
  EXPECT_EQ(s.written, 10u);
  EXPECT_EQ(s.batches, 1u);
}

TEST(group_commit, flush_with_nothing_queued_returns_at_once) {
  fake_writer w;
  group_commit q(writer_fn(w), options());
  ASSERT_TRUE(q.flush());
  EXPECT_EQ(w.attempts(), 0);
}

TEST(group_commit, a_full_batch_is_written_without_a_flush) {
  fake_writer w;
  group_commit q(writer_fn(w), options(4));
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(q.enqueue(make_pending("u", id(i))));
  }
  w.wait_attempts(1);  // the delay is an hour: only the batch size can have started it
  ASSERT_TRUE(q.flush());
  EXPECT_EQ(w.batch_sizes().front(), 4u);
}

TEST(group_commit, the_delay_alone_starts_a_batch) {
  fake_writer w;
  group_commit q(writer_fn(w), options(1'000, std::chrono::microseconds(100)));
  ASSERT_TRUE(q.enqueue(make_pending("u", id(1))));
  w.wait_attempts(1);  // no flush, batch not full: the delay expired
  ASSERT_TRUE(q.flush());
  EXPECT_EQ(w.written(), std::vector<std::string>{id(1)});
}

TEST(group_commit, records_arriving_during_a_write_form_the_next_batch) {
  fake_writer w;
  group_commit q(writer_fn(w), options());
  w.close_gate();
  ASSERT_TRUE(q.enqueue(make_pending("u", id(0))));
  std::thread flusher([&] { EXPECT_TRUE(q.flush()); });
  w.wait_attempts(1);  // batch {0} is being written
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(q.enqueue(make_pending("u", id(i))));
  }
  w.open_gate();
  flusher.join();
  ASSERT_TRUE(q.flush());
  EXPECT_EQ(w.batch_sizes(), (std::vector<std::size_t>{1, 5}));
  EXPECT_EQ(w.written().size(), 6u);
}

TEST(group_commit, a_failed_batch_is_retried_and_nothing_is_lost) {
  fake_writer w;
  group_commit q(writer_fn(w), options());
  w.fail_next(2);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(q.enqueue(make_pending("u", id(i))));
  }
  // The flush sees the first failure (the records are still queued, not dropped).
  auto first = q.flush();
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, errc::io_error);
  // Retries continue in the background; a later flush succeeds once an attempt does.
  result<void> r = make_error(errc::io_error, "");
  while (!r) {
    r = q.flush();
  }
  EXPECT_EQ(w.written(), (std::vector<std::string>{id(0), id(1), id(2)}));
  EXPECT_EQ(w.attempts(), 3);
  EXPECT_EQ(q.stats().failed_attempts, 2u);
}

TEST(group_commit, refused_records_are_reported_once_and_the_rest_written) {
  fake_writer w;
  group_commit q(writer_fn(w), options());
  w.refuse(id(1));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(q.enqueue(make_pending("u", id(i))));
  }
  auto r = q.flush();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::conflict);
  EXPECT_NE(r.error().message.find("taken: id1"), std::string::npos) << r.error().message;
  EXPECT_EQ(w.written(), (std::vector<std::string>{id(0), id(2)}));
  EXPECT_EQ(q.stats().rejected, 1u);
  // Reported: the next flush (nothing new refused) succeeds.
  ASSERT_TRUE(q.enqueue(make_pending("u", id(3))));
  EXPECT_TRUE(q.flush());
}

TEST(group_commit, wait_written_does_not_report_refusals) {
  fake_writer w;
  group_commit q(writer_fn(w), options());
  w.refuse(id(0));
  ASSERT_TRUE(q.enqueue(make_pending("u", id(0))));
  EXPECT_TRUE(q.wait_written());
  EXPECT_FALSE(q.flush());  // still unreported for flush
}

TEST(group_commit, a_full_queue_reports_busy_then_accepts_again) {
  fake_writer w;
  auto o = options();
  o.capacity = 3;
  group_commit q(writer_fn(w), o);
  w.close_gate();
  for (int i = 0; i < 3; ++i) {  // capacity exactly: accepted
    ASSERT_TRUE(q.enqueue(make_pending("u", id(i))));
  }
  auto r = q.enqueue(make_pending("u", id(3)));  // capacity + 1: waits 1 ms, then busy
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::busy);
  w.open_gate();
  ASSERT_TRUE(q.flush());
  EXPECT_TRUE(q.enqueue(make_pending("u", id(4))));
  ASSERT_TRUE(q.flush());
  EXPECT_EQ(w.written(), (std::vector<std::string>{id(0), id(1), id(2), id(4)}));
}

TEST(group_commit, destruction_writes_what_is_queued) {
  fake_writer w;
  {
    group_commit q(writer_fn(w), options());
    for (int i = 0; i < 7; ++i) {
      ASSERT_TRUE(q.enqueue(make_pending("u", id(i))));
    }
  }
  EXPECT_EQ(w.written().size(), 7u);
}

TEST(group_commit, destruction_gives_up_on_a_disk_that_keeps_failing) {
  fake_writer w;
  w.fail_next(1'000'000);
  {
    auto o = options();
    o.final_attempts = 2;
    group_commit q(writer_fn(w), o);
    ASSERT_TRUE(q.enqueue(make_pending("u", id(0))));
  }  // returns: does not retry forever
  EXPECT_TRUE(w.written().empty());
  EXPECT_GE(w.attempts(), 2);
}

TEST(group_commit, many_threads_enqueue_and_every_record_is_written_once) {
  fake_writer w;
  group_commit q(writer_fn(w), options(64, std::chrono::microseconds(200)));
  constexpr int threads = 4, per_thread = 5'000;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&q, t] {
      for (int i = 0; i < per_thread; ++i) {
        ASSERT_TRUE(
            q.enqueue(make_pending("u", testing::numbered(testing::numbered("t", t) + "-", i))));
      }
    });
  }
  for (auto& th : pool) {
    th.join();
  }
  ASSERT_TRUE(q.flush());
  const auto written = w.written();
  EXPECT_EQ(written.size(), static_cast<std::size_t>(threads * per_thread));
  EXPECT_EQ(std::set<std::string>(written.begin(), written.end()).size(), written.size());
}

}  // namespace
}  // namespace onehop::db
