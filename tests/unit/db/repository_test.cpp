// The SQLite repository: every method, user isolation, paging, usage, concurrency, reopening.

#include "db/repository.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <thread>

#include "db/cursor.hpp"
#include "db_test_support.hpp"

namespace onehop::db {
namespace {

using std::chrono::seconds;
using testing::at;
using testing::image_of;
using testing::make_pending;
using testing::t0;

class repository_test : public ::testing::Test {
 protected:
  testing::temp_dir dir_;
  std::unique_ptr<repository> repo_ = open();

  std::filesystem::path file() const { return dir_.path() / "onehop.db"; }

  std::unique_ptr<repository> open() {
    auto r = open_sqlite(file());
    if (!r) {
      throw std::runtime_error(r.error().message);
    }
    return std::move(*r);
  }

  // Enqueues, flushes, and checks that both worked.
  void add_pending(const pending_upload& p) {
    ASSERT_TRUE(repo_->enqueue_pending(p));
    auto f = repo_->flush();
    ASSERT_TRUE(f) << f.error().message;
  }

  image add_image(const pending_upload& p, std::chrono::sys_seconds created_at = t0) {
    add_pending(p);
    auto done = repo_->complete(p.user, p.id, image_of(p, created_at));
    if (!done) {
      throw std::runtime_error(done.error().message);
    }
    return *done;
  }
};

TEST_F(repository_test, enqueued_pending_is_found_with_every_field) {
  pending_upload p = make_pending("alice", "p1");
  p.method = "MULTIPART";
  p.multipart_upload_id = "mpu-1";
  p.part_size = 8 << 20;
  p.size = (1ull << 40) + 3;  // above 32 bits
  add_pending(p);
  auto found = repo_->find_pending("alice", "p1");
  ASSERT_TRUE(found);
  ASSERT_TRUE(*found);
  EXPECT_EQ(**found, p);
}

TEST_F(repository_test, find_pending_sees_records_still_queued) {
  // No flush: the read waits for the group commit itself.
  ASSERT_TRUE(repo_->enqueue_pending(make_pending("alice", "p1")));
  auto found = repo_->find_pending("alice", "p1");
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->has_value());
}

TEST_F(repository_test, another_users_pending_is_not_found) {
  add_pending(make_pending("alice", "p1"));
  auto found = repo_->find_pending("bob", "p1");
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->has_value());
  auto del = repo_->delete_pending("bob", "p1");
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().code, errc::not_found);
  auto done = repo_->complete("bob", "p1", image_of(make_pending("bob", "p1")));
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, errc::not_found);
  // Alice's record is untouched by Bob's attempts.
  EXPECT_TRUE(repo_->find_pending("alice", "p1")->has_value());
}

TEST_F(repository_test, set_multipart_id) {
  add_pending(make_pending("alice", "p1"));
  ASSERT_TRUE(repo_->set_multipart_id("p1", "upload-xyz"));
  EXPECT_EQ((*repo_->find_pending("alice", "p1"))->multipart_upload_id, "upload-xyz");
  auto missing = repo_->set_multipart_id("nope", "upload-xyz");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, errc::not_found);
}

TEST_F(repository_test, delete_pending) {
  add_pending(make_pending("alice", "p1"));
  ASSERT_TRUE(repo_->delete_pending("alice", "p1"));
  EXPECT_FALSE(repo_->find_pending("alice", "p1")->has_value());
  auto again = repo_->delete_pending("alice", "p1");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, errc::not_found);
}

TEST_F(repository_test, complete_moves_pending_to_image) {
  const pending_upload p = make_pending("alice", "p1");
  add_pending(p);
  image in = image_of(p, t0 + seconds(5));
  in.id.clear();        // empty: the image takes the pending upload's id
  in.user = "ignored";  // the user comes from the arguments
  auto done = repo_->complete("alice", "p1", in);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->id, "p1");
  EXPECT_EQ(done->user, "alice");
  EXPECT_EQ(*done, image_of(p, t0 + seconds(5)));
  EXPECT_FALSE(repo_->find_pending("alice", "p1")->has_value());
  auto found = repo_->find_image("alice", "p1");
  ASSERT_TRUE(found);
  ASSERT_TRUE(*found);
  EXPECT_EQ(**found, *done);
}

TEST_F(repository_test, complete_keeps_an_explicit_image_id) {
  const pending_upload p = make_pending("alice", "p1");
  add_pending(p);
  image in = image_of(p, t0 + seconds(5));
  in.id = "i1";
  auto done = repo_->complete("alice", "p1", in);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->id, "i1");
  EXPECT_FALSE(repo_->find_pending("alice", "p1")->has_value());
  EXPECT_TRUE(*repo_->find_image("alice", "i1"));
  // Recording an image with no pending row (its upload lived in a signed token).
  image token_image = image_of(make_pending("alice", "t1"), t0 + seconds(6));
  token_image.id = "i2";
  auto recorded = repo_->complete("alice", "", token_image);
  ASSERT_TRUE(recorded) << recorded.error().message;
  EXPECT_TRUE(*repo_->find_image("alice", "i2"));
  // Again: the same image back.
  EXPECT_EQ(*repo_->complete("alice", "", token_image), *recorded);
}

TEST_F(repository_test, complete_is_idempotent) {
  const pending_upload p = make_pending("alice", "p1");
  const image first = add_image(p);
  // A retry, even with different details, gets the recorded image back unchanged.
  image other = image_of(p, t0 + seconds(99));
  other.width = 1;
  auto again = repo_->complete("alice", "p1", other);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, first);
  EXPECT_EQ(**repo_->find_image("alice", "p1"), first);
  // Another user cannot complete (or learn of) it.
  auto bob = repo_->complete("bob", "p1", other);
  ASSERT_FALSE(bob);
  EXPECT_EQ(bob.error().code, errc::not_found);
}

TEST_F(repository_test, complete_of_unknown_id_is_not_found) {
  auto r = repo_->complete("alice", "nope", image_of(make_pending("alice", "nope")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::not_found);
  EXPECT_FALSE(repo_->find_image("alice", "nope")->has_value());
}

TEST_F(repository_test, complete_with_a_taken_key_changes_nothing) {
  const image a = add_image(make_pending("alice", "p1"));
  const pending_upload p2 = make_pending("alice", "p2");
  add_pending(p2);
  image clash = image_of(p2);
  clash.key = a.key;
  auto r = repo_->complete("alice", "p2", clash);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::conflict);
  // Rolled back: p2 is still pending and no image p2 exists.
  EXPECT_TRUE(repo_->find_pending("alice", "p2")->has_value());
  EXPECT_FALSE(repo_->find_image("alice", "p2")->has_value());
}

TEST_F(repository_test, a_duplicate_pending_is_refused_and_reported_by_flush) {
  add_pending(make_pending("alice", "p1"));
  pending_upload same_key = make_pending("alice", "p2");
  same_key.key = make_pending("alice", "p1").key;
  ASSERT_TRUE(repo_->enqueue_pending(same_key));
  ASSERT_TRUE(repo_->enqueue_pending(make_pending("alice", "p3")));
  auto f = repo_->flush();
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, errc::conflict);
  // The rest of the batch was written.
  EXPECT_FALSE(repo_->find_pending("alice", "p2")->has_value());
  EXPECT_TRUE(repo_->find_pending("alice", "p3")->has_value());
}

TEST_F(repository_test, find_and_delete_image) {
  const image a = add_image(make_pending("alice", "p1"));
  EXPECT_FALSE(repo_->find_image("bob", "p1")->has_value());
  auto bob = repo_->delete_image("bob", "p1");
  ASSERT_TRUE(bob);
  EXPECT_FALSE(bob->has_value());
  auto deleted = repo_->delete_image("alice", "p1");
  ASSERT_TRUE(deleted);
  ASSERT_TRUE(*deleted);
  EXPECT_EQ(**deleted, a);
  EXPECT_FALSE(repo_->find_image("alice", "p1")->has_value());
  EXPECT_FALSE(repo_->delete_image("alice", "p1")->has_value());
}

TEST_F(repository_test, expired_pending_oldest_first_up_to_limit) {
  add_pending(make_pending("alice", "a", 1, 30));   // expires t0+30
  add_pending(make_pending("bob", "b", 1, 10));     // expires t0+10
  add_pending(make_pending("alice", "c", 1, 20));   // expires t0+20
  add_pending(make_pending("alice", "d", 1, 100));  // not yet
  auto none = repo_->expired_pending(t0 + seconds(9), 10);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  auto two = repo_->expired_pending(t0 + seconds(20), 10);  // expires_at <= now
  ASSERT_TRUE(two);
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].id, "b");
  EXPECT_EQ((*two)[1].id, "c");
  auto limited = repo_->expired_pending(t0 + seconds(1000), 3);
  ASSERT_TRUE(limited);
  ASSERT_EQ(limited->size(), 3u);
  EXPECT_EQ((*limited)[2].id, "a");
  EXPECT_EQ((*limited)[0], make_pending("bob", "b", 1, 10));
}

TEST_F(repository_test, list_images_newest_first_with_isolation) {
  add_image(make_pending("alice", "old"), t0);
  add_image(make_pending("alice", "new"), t0 + seconds(10));
  add_image(make_pending("alice", "mid"), t0 + seconds(5));
  add_image(make_pending("bob", "bobs"), t0 + seconds(7));
  auto page = repo_->list_images("alice", 10, "");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->images.size(), 3u);
  EXPECT_EQ(page->images[0].id, "new");
  EXPECT_EQ(page->images[1].id, "mid");
  EXPECT_EQ(page->images[2].id, "old");
  EXPECT_TRUE(page->next_cursor.empty());
  auto nobody = repo_->list_images("carol", 10, "");
  ASSERT_TRUE(nobody);
  EXPECT_TRUE(nobody->images.empty());
  EXPECT_TRUE(nobody->next_cursor.empty());
}

TEST_F(repository_test, cursor_paging_over_250_images_with_equal_times) {
  std::set<std::string> all;
  for (int i = 0; i < 250; ++i) {
    const std::string id = testing::numbered("img", 1000 + i);
    ASSERT_TRUE(repo_->enqueue_pending(make_pending("alice", id)));
    all.insert(id);
  }
  ASSERT_TRUE(repo_->flush());
  for (const std::string& id : all) {
    ASSERT_TRUE(repo_->complete("alice", id, image_of(make_pending("alice", id), t0)));
  }
  // Bob's images share the time: they must not leak into Alice's pages.
  add_image(make_pending("bob", "img1100x"), t0);

  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto page = repo_->list_images("alice", 100, cursor);
    ASSERT_TRUE(page) << page.error().message;
    ++pages;
    for (const image& i : page->images) {
      EXPECT_EQ(i.user, "alice");
      seen.push_back(i.id);
    }
    cursor = page->next_cursor;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(pages, 3);  // 100 + 100 + 50
  ASSERT_EQ(seen.size(), 250u);
  // Equal times: ordered by id, descending, with no repeats or gaps.
  EXPECT_TRUE(std::is_sorted(seen.rbegin(), seen.rend()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), all);
}

TEST_F(repository_test, paging_is_stable_when_images_are_deleted_between_pages) {
  for (int i = 0; i < 6; ++i) {
    add_image(make_pending("alice", testing::numbered("i", i)), t0 + seconds(i));
  }
  auto first = repo_->list_images("alice", 2, "");  // i5, i4
  ASSERT_TRUE(first);
  ASSERT_TRUE(repo_->delete_image("alice", "i4"));
  ASSERT_TRUE(repo_->delete_image("alice", "i3"));
  auto second = repo_->list_images("alice", 2, first->next_cursor);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->images.size(), 2u);
  EXPECT_EQ(second->images[0].id, "i2");
  EXPECT_EQ(second->images[1].id, "i1");
}

TEST_F(repository_test, page_limit_is_clamped) {
  for (int i = 0; i < 3; ++i) {
    add_image(make_pending("alice", testing::numbered("i", i)));
  }
  auto zero = repo_->list_images("alice", 0, "");  // 0 -> 1
  ASSERT_TRUE(zero);
  EXPECT_EQ(zero->images.size(), 1u);
  EXPECT_FALSE(zero->next_cursor.empty());
  auto huge = repo_->list_images("alice", max_page_size + 1, "");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->images.size(), 3u);
}

TEST_F(repository_test, bad_cursors_are_invalid_cursor) {
  add_image(make_pending("alice", "i"));
  for (const std::string& bad :
       {std::string("garbage!"), std::string("AAAA"), base64url_encode("1.x.id"),
        base64url_encode("2.1.id"), std::string(600, 'A')}) {
    auto page = repo_->list_images("alice", 10, bad);
    ASSERT_FALSE(page) << bad;
    EXPECT_EQ(page.error().code, errc::invalid_cursor) << bad;
  }
}

TEST_F(repository_test, usage_counts_images_and_unexpired_pending) {
  add_image(make_pending("alice", "i1", 100));
  add_image(make_pending("alice", "i2", 200));
  add_pending(make_pending("alice", "p1", 1'000, 60));  // expires t0+60
  add_pending(make_pending("bob", "p2", 7, 60));
  auto now = repo_->usage_of("alice", t0);
  ASSERT_TRUE(now);
  EXPECT_EQ(*now, (usage{1'300, 3}));
  auto later = repo_->usage_of("alice", t0 + seconds(60));  // expired at exactly expires_at
  ASSERT_TRUE(later);
  EXPECT_EQ(*later, (usage{300, 2}));
  EXPECT_EQ(*repo_->usage_of("carol", t0), (usage{0, 0}));

  auto all = repo_->all_usage(t0);
  ASSERT_TRUE(all);
  const std::vector<std::pair<std::string, usage>> expected{{"alice", {1'300, 3}}, {"bob", {7, 1}}};
  EXPECT_EQ(*all, expected);
  auto all_later = repo_->all_usage(t0 + seconds(60));
  ASSERT_TRUE(all_later);
  const std::vector<std::pair<std::string, usage>> expected_later{{"alice", {300, 2}}};
  EXPECT_EQ(*all_later, expected_later);
}

TEST_F(repository_test, key_known_for_pending_and_images) {
  const pending_upload p = make_pending("alice", "p1");
  ASSERT_TRUE(repo_->enqueue_pending(p));  // queued only: already known
  EXPECT_TRUE(*repo_->key_known(p.key));
  add_image(make_pending("alice", "i1"));
  EXPECT_TRUE(*repo_->key_known(make_pending("alice", "i1").key));
  EXPECT_FALSE(*repo_->key_known("uploads/alice/orphan.png"));
  ASSERT_TRUE(repo_->delete_pending("alice", "p1"));
  EXPECT_FALSE(*repo_->key_known(p.key));
}

TEST_F(repository_test, ping) {
  EXPECT_TRUE(repo_->ping());
}

TEST_F(repository_test, enqueue_from_several_threads_then_flush) {
  constexpr int threads = 4, per_thread = 1'500;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([this, t] {
      for (int i = 0; i < per_thread; ++i) {
        const std::string user = testing::numbered("user", t);
        ASSERT_TRUE(
            repo_->enqueue_pending(make_pending(user, testing::numbered(user + "-", i), 1)));
      }
    });
  }
  for (auto& th : pool) {
    th.join();
  }
  ASSERT_TRUE(repo_->flush());
  auto all = repo_->all_usage(t0);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), static_cast<std::size_t>(threads));
  for (const auto& [user, u] : *all) {
    EXPECT_EQ(u, (usage{per_thread, per_thread})) << user;
  }
  EXPECT_TRUE(repo_->find_pending("user3", "user3-1499")->has_value());
}

TEST_F(repository_test, reopening_keeps_everything) {
  const image a = add_image(make_pending("alice", "i1"), t0 + seconds(1));
  const pending_upload p = make_pending("alice", "p1");
  ASSERT_TRUE(repo_->enqueue_pending(p));  // not flushed: the destructor writes it
  repo_.reset();
  repo_ = open();
  EXPECT_EQ(**repo_->find_image("alice", "i1"), a);
  EXPECT_EQ(**repo_->find_pending("alice", "p1"), p);
  auto done = repo_->complete("alice", "p1", image_of(p));
  ASSERT_TRUE(done);
  EXPECT_EQ(repo_->list_images("alice", 10, "")->images.size(), 2u);
}

TEST_F(repository_test, opening_a_file_that_is_not_a_database_fails) {
  repo_.reset();
  const auto junk = dir_.path() / "junk.db";
  {
    std::ofstream out(junk);
    out << std::string(4096, 'x');
  }
  auto r = open_sqlite(junk);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::corrupt) << r.error().message;
}

TEST_F(repository_test, opening_in_a_missing_folder_fails) {
  auto r = open_sqlite(dir_.path() / "no" / "such" / "dir" / "x.db");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::io_error);
}

}  // namespace
}  // namespace onehop::db
